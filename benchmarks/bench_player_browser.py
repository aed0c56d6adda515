"""`make bench`, run players in the static book: time per step in headless Chromium.

Serves `_build/html` (or `$SCALELAB_HTML`) on 127.0.0.1, opens every chapter page that
has a run player (`scalelab.player`), and for each player times steps from the keyboard
(an arrow key on the player's Forward button) and from the step buttons: from the input
event to the end of the next painted frame, the same measure `bench_browser.py` uses for
the explorers' controls. Also times switching each fault control. One line per player,
then `player steps p50 X ms p95 Y ms over N steps; fault switches p95 Z ms`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_browser import ARGS, HTML, chapter_pages, serve  # noqa: E402

PLAYER_ID = re.compile(r'class="scalelab-player-figure"[^>]*\bid="(scalelab-[0-9a-f]{12})"')

TIMED_STEP = """([id, action]) => new Promise(done => {
  const box = document.getElementById(id + '-box'), b = box.querySelector('button[data-step="' + action + '"]');
  const t0 = performance.now();
  b.click();
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0)));
})"""

TIMED_SELECT = """([id, index, value]) => new Promise(done => {
  const c = document.getElementById(id + '-box').querySelectorAll('[data-scalelab-player-control]')[index];
  const t0 = performance.now();
  c.value = String(value); c.dispatchEvent(new Event('change'));
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0)));
})"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    pages = [p for p in chapter_pages() if PLAYER_ID.search((HTML / p).read_text(encoding="utf-8"))]
    if not pages:
        print("no run players in the built book")
        return
    base, server = serve()
    steps: list[float] = []
    switches: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM") or shutil.which("chromium"),
                                     args=ARGS, headless=True)
        for path in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/{path}", wait_until="load")
            for pid in PLAYER_ID.findall((HTML / path).read_text(encoding="utf-8")):
                page.locator(f"#{pid}").scroll_into_view_if_needed()
                page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=60_000)
                mine = []
                page.evaluate(TIMED_STEP, [pid, "first"])  # warm-up
                n = int(page.get_attribute(f"#{pid}-box [data-scalelab-step]", "max")) + 1
                for _ in range(min(n - 1, 40)):
                    mine.append(page.evaluate(TIMED_STEP, [pid, "forward"]))
                mine.append(page.evaluate(TIMED_STEP, [pid, "first"]))
                sw = []
                shape = page.evaluate(f"JSON.parse(document.getElementById('{pid}-data').textContent).shape")
                for i, size in enumerate(shape):
                    for v in list(range(1, size)) + [0]:
                        sw.append(page.evaluate(TIMED_SELECT, [pid, i, v]))
                steps += mine
                switches += sw
                print(f"{path[10:40]:30s} {pid}  step p50 {np.median(mine):6.1f} ms  p95 "
                      f"{np.percentile(mine, 95):6.1f} ms ({len(mine)} steps); fault switch p95 "
                      f"{np.percentile(sw, 95) if sw else float('nan'):6.1f} ms", flush=True)
            page.close()
        browser.close()
    server.shutdown()
    print(f"player steps p50 {np.median(steps):.1f} ms p95 {np.percentile(steps, 95):.1f} ms over {len(steps)} "
          f"steps; fault switches p95 {np.percentile(switches, 95) if switches else float('nan'):.1f} ms")


if __name__ == "__main__":
    main()
