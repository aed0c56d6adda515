"""The run player (scalelab.player): static HTML and data budget, the text trace for
nbval, the text alternative, the live widgets (step, switch a fault, fork a run)."""

from __future__ import annotations

import json
import re

import pytest

from scalelab.failures import payment_run
from scalelab.player import describe, diagram, play
from scalelab.replication import quorum_run
from scalelab.runs import Run


def payment_player():
    return play(payment_run, idempotency_keys=[False, True], drop={"nothing": (), "the first reply (m2)": (2,)})


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="(scalelab-[0-9a-f]{12})-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(2))


def test_static_html_has_every_variant_and_native_labelled_controls():
    p = payment_player()
    html = p.to_html()
    data = page_data(html)
    assert data["shape"] == [2, 2]
    assert len(data["variants"]) == 4
    # the variant for (no keys, drop m2) is the run payment_run gives for them
    run = data["runs"][data["variants"][1]]
    assert [v[0] for v in run["violations"]] == ["charge applied twice (events 2 and 9)"]
    assert len(run["events"]) == len(payment_run(drop=(2,)).events)
    for cid in re.findall(r'<select id="([^"]+)" data-scalelab-player-control', html):
        assert f'<label for="{cid}">' in html
    assert re.search(r'<label for="[^"]+-step">step</label><input type="range"', html)
    for text in ("First", "Back", "Play", "Forward", "Last"):
        assert f">{text}</button>" in html
    assert 'aria-live="polite"' in html and "scalelab-figure" not in html  # not an explorer figure
    assert p.static_bytes < 300_000
    # the step slider reaches the longest run's last step (a browser restores a step only
    # within max); it starts at the default run's first step, announced against that run
    longest = max(len(r["events"]) for r in data["runs"])
    assert longest > len(data["runs"][data["variants"][0]]["events"])
    first = len(data["runs"][data["variants"][0]]["events"])
    assert re.search(rf'data-scalelab-step min="0" max="{longest - 1}" step="1" value="0" '
                     rf'aria-valuetext="1 of {first}"', html)


def test_identical_runs_are_stored_once():
    p = play(payment_run, idempotency_keys=[False, True], timeout_s=[0.1, 0.1])
    data = page_data(p.to_html())
    assert len(data["runs"]) == 2 and data["variants"] == [0, 0, 1, 1]


def test_over_budget_player_is_refused_with_its_size():
    p = play(quorum_run, w=[1, 2, 3], r=[1, 2, 3], static_budget_bytes=5_000)
    with pytest.raises(ValueError, match=r"static HTML is \d+ bytes, more than static_budget_bytes=5000"):
        p.to_html()


def test_text_trace_is_deterministic_and_names_the_violation():
    a = str(play(payment_run, drop={"the first reply (m2)": (2,)}))
    b = str(play(payment_run, drop={"the first reply (m2)": (2,)}))
    assert a == b
    lines = a.splitlines()
    assert lines[0].startswith("Player 'Payment retry, without idempotency keys': drop (1 values); 1 runs, ")
    assert lines[1] == "#0 t=0.000 client send m1 charge $100 -> server"
    assert lines[-1] == "VIOLATION charge applied twice (events 2 and 9)"


def test_describe_says_the_event_states_and_verdict():
    run = payment_run(drop=(2,))
    assert describe(run, 2) == (
        "Payment retry, without idempotency keys: step 3 of 13. Event #2 t=0.023 server state applied charge $100. "
        "State: client: attempt=1 status=waiting; server: charged=100 charges=1.")
    last = describe(run, 12)
    assert last.endswith("Checker: charge applied twice (events 2 and 9).")
    assert describe(payment_run(idempotency_keys=True), 5).endswith("Checker: no invariant violated.")


def test_diagram_draws_arrows_drops_and_the_violation():
    run = payment_run(drop=(2,))
    fig = diagram(run)
    by = {t.name: t for t in fig.data}
    assert list(by["message delivered"].x).count(None) == 3  # m1, m3 and m4 delivered; m2 dropped
    assert len(by["drop"].x) == 1
    assert len(by["invariant violated"].x) == 2
    first = diagram(run, 0)
    assert len({t.name: t for t in first.data}["events"].x) == 1


def test_play_a_single_run_and_bad_input():
    p = play(payment_run(drop=(2,)))
    assert p.controls == [] and "1 runs" in str(p)
    with pytest.raises(ValueError, match="protocol"):
        play(42)
    with pytest.raises(ValueError, match="control drop"):
        play(payment_run, drop=3)
    with pytest.raises(ValueError, match="MAX_VARIANTS"):
        play(quorum_run, seed=list(range(16)), r=[1, 2, 3], w=[1, 2])
    with pytest.raises(ValueError, match="static_budget_bytes"):
        play(payment_run, static_budget_bytes=10)
    with pytest.raises(ValueError, match="must return a scalelab.runs.Run"):
        play(lambda: "nope")


def test_live_player_steps_switches_and_forks():
    pytest.importorskip("ipywidgets")
    p = payment_player()
    p.widget()
    p._step.value = 4
    fw = p._fw
    assert fw.layout.title.text.endswith("step 5 of 6")
    p._selects[1].value = 1  # drop the first reply
    assert p._step.value == 0 and p.current().violations
    original = p.current()
    fork = p.fork(drop=1)
    assert p.current() is fork and p.run_at(p._position) is original
    assert fork.events[1].kind == "drop"
    p._which.value = "original"
    assert p.current() is original
    crashed = p.fork(crash=("server", 0.01))
    assert any(e.kind == "crash" for e in crashed.events)
    assert isinstance(crashed, Run)


def test_mimebundle_in_the_static_book_has_no_widget(monkeypatch):
    monkeypatch.setenv("SCALELAB_STATIC", "1")
    bundle = payment_player()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


def test_a_control_may_be_named_protocol():
    from scalelab.transport import tcp_run

    p = play(tcp_run, protocol={"TCP": "tcp", "UDP": "udp"}, lose_segment={"segment 2": 2})
    data = page_data(p.to_html())
    assert [r["title"] for r in data["runs"]] == ["TCP, fast retransmit, segment 2 lost", "UDP, segment 2 lost"]


def test_every_chapter_player_fits_the_budget():
    from scalelab import consensus, transport

    players = [
        play(transport.tcp_run, protocol={"TCP": "tcp", "UDP": "udp"},
             fast_retransmit={"fast retransmit": True, "timeout only": False},
             lose_segment={"segment 2": 2, "segment 5": 5, "none": None}),
        play(payment_run, idempotency_keys={"off": False, "on": True},
             drop={"nothing": (), "the first request (m1)": (1,), "the first reply (m2)": (2,)},
             loss={"none": 0.0, "30%": 0.3}, fixed={"seed": 3}),
        play(consensus.raft_election_run,
             timeout_ms={"randomized, 150-300 ms": (150.0, 300.0), "all equal, 150 ms": (150.0, 150.0)},
             crash_leader_at_s={"none": None, "at 0.6 s": 0.6}, seed=[0, 1, 2], fixed={"until_s": 1.2}),
        play(quorum_run, w=[1, 2, 3], r=[1, 2, 3], drop={"nothing": (), "the write to r2 (m2)": (2,)},
             seed=[1, 2, 3]),
    ]
    for p in players:
        assert p.static_bytes <= 300_000
