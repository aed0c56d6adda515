"""Every public callable of scalelab refuses bad input clearly and quickly (issue 12).

The walk, the bad values and the one place where legitimate acceptances are declared
live in tests/bad_inputs.py. Each call runs in a forked child with a time limit and a
memory cap; any outcome but a ValueError naming the parameter fails (values that may lie
inside a parameter's range, -1, 0 and 10**12, may instead give a prompt, finite result).

A seeded sample of the calls runs here (a few minutes on 2 cores); set
SCALELAB_BAD_INPUTS_SAMPLE=1 to run them all, or run ``python tests/bad_inputs.py``.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("scalelab_bad_inputs", Path(__file__).with_name("bad_inputs.py"))
bad_inputs = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bad_inputs
_spec.loader.exec_module(bad_inputs)

#: Bad values tried per parameter in the sampled run (each parameter of each callable
#: gets this many kinds, chosen with a fixed seed; the strict ones first).
KINDS_PER_PARAMETER = int(os.environ.get("SCALELAB_BAD_INPUTS_KINDS", "2"))
SAMPLE = float(os.environ.get("SCALELAB_BAD_INPUTS_SAMPLE", "0"))


@pytest.fixture(scope="module")
def targets():
    found = bad_inputs.public_targets()
    bad_inputs.find_baselines(found)
    return found


def _sample(calls):
    """Every call if SAMPLE >= 1; else, per (callable, parameter), a seeded few kinds."""
    if SAMPLE >= 1:
        return calls
    if SAMPLE > 0:
        rng = random.Random(12)
        return [c for c in calls if rng.random() < SAMPLE]
    by_param = defaultdict(list)
    for c in calls:
        by_param[(c.target.qualname, c.param)].append(c)
    rng = random.Random(12)
    chosen = []
    for key in sorted(by_param):
        group = by_param[key]
        chosen.extend(rng.sample(group, min(KINDS_PER_PARAMETER, len(group))))
    return chosen


def test_the_walk_finds_the_public_callables(targets):
    names = {t.short for t in targets}
    assert {"amdahl.speedup", "queueing.erlang_b", "rpc.Stub", "partitioning.range_partition"} <= names
    assert {"explorer.slider", "explorer.explore", "explorer.show", "explorer.Explorer.title_at",
            "parallel.measure_speedup", "parallel.burn", "concurrency.pool_curves"} <= names
    assert len(targets) > 200


def test_every_declaration_names_something_that_exists(targets):
    names = {t.short for t in targets}
    walked_or_skipped = names | set(bad_inputs.SKIP_CALLABLES)
    for name in bad_inputs.BASELINE:
        assert name in walked_or_skipped, f"BASELINE names {name}, which the walk does not find"
    for name, param in bad_inputs.ACCEPTS:
        assert name in names, f"ACCEPTS names {name}, which the walk does not find"
        target = next(t for t in targets if t.short == name)
        assert param in {p.name for p in target.params}, f"ACCEPTS names {name}({param}), no such parameter"
    for reason in [*bad_inputs.SKIP_MODULES.values(), *bad_inputs.SKIP_CALLABLES.values()]:
        assert reason.strip(), "every skip gives its reason"


def test_every_callable_has_a_valid_baseline_call(targets):
    """A new public function whose arguments cannot be guessed needs a BASELINE entry."""
    missing = [f"{t.short}: {t.baseline_error[:160]}" for t in targets if not t.baseline_ok]
    assert not missing, "no valid call found (declare one in tests/bad_inputs.py BASELINE):\n" + "\n".join(missing)


def test_bad_values_get_a_prompt_value_error_naming_the_parameter(targets):
    calls = _sample(bad_inputs.bad_calls(targets))
    assert len(calls) > 300
    reports = bad_inputs.run_calls([(c.target, c.args) for c in calls])
    verdicts = [bad_inputs.judge(c, r) for c, r in zip(calls, reports)]
    failures = [
        f"{v:12s} {c.target.short}({c.param}={c.kind}): {r.get('type', '')} {r.get('message', '')[:160]}"
        for c, r, v in zip(calls, reports, verdicts) if v not in ("ok", "accepted")
    ]
    assert not failures, f"{len(failures)} of {len(calls)} bad calls were not refused clearly:\n" + "\n".join(failures)
