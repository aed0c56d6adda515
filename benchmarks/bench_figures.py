"""`make bench`: how fast every interactive figure updates live, and what each page weighs.

For every chapter in `_toc.yml`, the notebook runs in a kernel as a reader's would (live
mode, widgets made), then every explorer it made is timed over its slider grid: one live
update is the model call plus the in-place figure update. One line per figure with p50
and p95, ending with `slowest p95: X ms over N figures`. Page weights come from the built
book, loaded in headless Chromium: every byte the page fetches except the shared
plotly.js. Other `benchmarks/bench_*.py` scripts run first.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

TIMING_CELL = """
import json, numpy as np
from scalelab.explorer import registered
_rows = []
for _ex in registered():
    _t = _ex.time_updates(200)
    _rows.append({"title": _ex.title_at(_ex.defaults) or _ex.y_title, "n": int(len(_t)),
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


def page_weights() -> list[tuple[str, int, int]]:
    """(page, HTML bytes, all bytes fetched except plotly.js) for every built page."""
    pages = sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        from playwright.sync_api import sync_playwright

        args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=args)
            for page_path in pages:
                page = browser.new_page()
                responses: list = []
                page.on("response", lambda response: responses.append(response))
                page.goto(f"{base}/{page_path}", wait_until="networkidle")
                page.wait_for_timeout(500)
                total = 0
                for response in responses:
                    if "plotly.min.js" in response.url or response.status != 200:
                        continue
                    try:
                        total += len(response.body())
                    except Exception:  # a redirect's body is gone once the page moves on
                        total += int(response.headers.get("content-length", 0))
                rows.append((page_path, (HTML / page_path).stat().st_size, total))
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return rows


def main() -> None:
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        if script.name != Path(__file__).name:
            print(f"== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], check=True, cwd=ROOT)
    print("== page weights (bytes fetched without the shared plotly.js)")
    plotly_js = (HTML / "_static" / "scalelab" / "plotly.min.js").stat().st_size
    for page, html_bytes, total in page_weights():
        print(f"{page:45s} html {html_bytes / 1e6:5.2f} MB   page {total / 1e6:5.2f} MB")
    print(f"(shared plotly.js, fetched once and cached: {plotly_js / 1e6:.2f} MB)")
    print("== live update time per interactive figure (model + in-place figure update)")
    rows = []
    for notebook in chapters():
        for fig in time_figures(notebook):
            rows.append(fig)
            print(f"{notebook.stem:28s} {fig['title'][:48]:48s} p50 {fig['p50']:6.2f} ms  p95 {fig['p95']:6.2f} ms  ({fig['n']} updates)", flush=True)
    print(f"slowest p95: {max(r['p95'] for r in rows):.1f} ms over {len(rows)} figures")


if __name__ == "__main__":
    main()
