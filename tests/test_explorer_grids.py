"""Every explorer of every chapter has something to see at every point of its grid.

Each chapter's source runs in a kernel (static mode, as in the book); then every explorer
it made is walked over its whole live grid. A setting where no curve has a finite point
inside the figure's axes fails the test, unless the model says, with a curve named
"Note: ...", that nothing is meant to be drawn there.
"""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.md"))

WALK = """
import json
from scalelab.explorer import registered
_report = [{"title": _ex.title or _ex.y_title, "frames": len(list(__import__("itertools").product(*(s.values for s in _ex.sliders)))),
            "empty": [{k: float(v) for k, v in p.items()} for p in _ex.empty_frames()[:5]],
            "n_empty": len(_ex.empty_frames())} for _ex in registered()]
print("GRIDS" + json.dumps(_report))
"""


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_explorer_shows_something_at_every_grid_point(source, monkeypatch):
    nb = jupytext.read(source)
    nb.cells.append(nbformat.v4.new_code_cell(WALK))
    # The kernel inherits it; monkeypatch restores the environment afterwards, so later
    # tests (JupyterLab's live mode, the notebooks under nbval) do not run in static mode.
    monkeypatch.setenv("SCALELAB_STATIC", "1")
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    report = json.loads(text.split("GRIDS", 1)[1])
    assert report, f"{source.name} made no explorer"
    bad = [r for r in report if r["n_empty"]]
    assert not bad, "explorers with nothing to see at some settings: " + "; ".join(
        f"{r['title']!r}: {r['n_empty']} of {r['frames']} settings, e.g. {r['empty'][:3]}" for r in bad)
