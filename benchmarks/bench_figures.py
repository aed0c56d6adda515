"""`make bench`: how fast every interactive figure updates live, and what each page weighs.

For every chapter in `_toc.yml`, the notebook runs in a kernel as a reader's would (live
mode, widgets made), then every explorer it made is timed over its slider grid: one live
update is the model call plus the in-place figure update (and every run player over
every step of every variant: one step is the diagram's in-place update). One line per figure with p50
and p95, ending with `slowest p95: X ms over N figures`. Other `benchmarks/bench_*.py`
scripts run first; the static book's browser section (`bench_browser.py`: first figure,
control moves against a bare `Plotly.restyle`, compressed page weights, at 1x and 4x CPU)
runs last and ends the output with its one-line summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

TIMING_CELL = """
import json, numpy as np
from scalelab.explorer import registered
_rows = []
for _ex in registered():
    _t = _ex.time_updates(200)
    _rows.append({"title": _ex.title_at(_ex.defaults) or _ex.y_title, "n": int(len(_t)),
                  "p50": float(np.percentile(_t, 50)), "p95": float(np.percentile(_t, 95))})
from scalelab.player import registered as _players
for _p in _players():
    _t = np.asarray(_p.time_steps(100))
    _rows.append({"title": "run player: " + _p.run_at(_p.positions()[0]).title, "n": int(len(_t)),
                  "p50": float(np.percentile(_t, 50)), "p95": float(np.percentile(_t, 95))})
print("BENCH" + json.dumps(_rows))
"""


def chapters() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [ROOT / f"{f}.ipynb" for f in files if f.startswith("notebooks/")]


def time_figures(notebook: Path) -> list[dict]:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(TIMING_CELL))
    env_static = os.environ.pop("SCALELAB_STATIC", None)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        if env_static is not None:
            os.environ["SCALELAB_STATIC"] = env_static
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text.split("BENCH", 1)[1])


def main() -> None:
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        if script.name not in (Path(__file__).name, "bench_browser.py"):
            print(f"== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], check=True, cwd=ROOT)
    print("== live update time per interactive figure (model + in-place figure update)")
    rows = []
    for notebook in chapters():
        for fig in time_figures(notebook):
            rows.append(fig)
            print(f"{notebook.stem:28s} {fig['title'][:48]:48s} p50 {fig['p50']:6.2f} ms  p95 {fig['p95']:6.2f} ms  ({fig['n']} updates)", flush=True)
    print(f"slowest p95: {max(r['p95'] for r in rows):.1f} ms over {len(rows)} figures")
    print("== the static book in headless Chromium (bench_browser.py)", flush=True)
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_browser.py")], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
