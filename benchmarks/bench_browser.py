"""`make bench`, browser section: the static book as a reader's browser meets it.

Serves `_build/html` on 127.0.0.1 and opens every chapter page in headless Chromium, at
1x and at 4x CPU throttling (DevTools `Emulation.setCPUThrottlingRate`), each visit in a
fresh browser context (a first visit: nothing cached). Per page and rate it measures

* first figure: the page opened at its first figure's anchor (as a reader following a
  link lands there), time from navigation start to that figure drawn (the page script
  draws a linked figure as soon as it runs);
* scroll to figure: the page opened at its top, each figure in turn scrolled into view,
  time from that scroll to the figure drawn (0 when it was drawn before the reader got
  there: figures are drawn when they come within 400 px of the viewport);
* first viewport: the page opened at its top, time until every figure that is in the
  first 1280 x 900 viewport is drawn ("none" when the first screen has no figure);
* longest task: the longest main-thread task (PerformanceObserver "longtask") in the
  first 3 s of the page opened at its top (plotly.js's and MathJax's start-up are in it);
* longest draw: the longest single figure draw (one `Plotly.newPlot`, one task of its own)
  over all the page's figures, drawn as the reader scrolls to each: how long the page can
  stop answering input while figures draw;
* every static control: time from the input event (a key press on a native control, a
  click on a plotly SVG slider in the older pages) to the end of the next painted
  frame, every move counted (a reader's first touch of a control too); and, on the same
  figure in the same run, the same measure for a bare
  `Plotly.restyle` of the same traces between the same two frames (the reference);
* transfer size of a first visit, every response compressed as a static host would
  serve it (gzip level 6 for text; fonts and images as they are), with and without
  plotly.js.

It ends with one line:
`static controls p95 X ms = R x bare restyle; first figure Y ms; heaviest page Z MB`
(X, R and Y at 1x; the 4x figures follow on the same line). Timings are this machine's,
taken on a busy 2-core host: read the ratio, which both sides of share the same load.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import re
import sys
import threading
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("SCALELAB_HTML", ROOT / "_build" / "html"))
MOVES = {1: 5, 4: 3}           # timed moves per control at each throttling rate
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")
FIGURE_ID = re.compile(r'class="scalelab-figure"[^>]*\bid="(scalelab-[0-9a-f]{12})"')
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Injected before any page script: records when each figure is first drawn, every
# input's time to the next painted frame, and long tasks.
PROBE = """
window.__bench = {drawn: {}, moves: [], longest: 0, draws: []};
let plotly;  // each figure's first draw (Plotly.newPlot), timed as the page script makes it
Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly, set: v => {
  const newPlot = v.newPlot;
  v.newPlot = function () { const t0 = performance.now(), r = newPlot.apply(this, arguments);
    window.__bench.draws.push(performance.now() - t0); return r; };
  plotly = v; }});
try { new PerformanceObserver(l => l.getEntries().forEach(e => {
  if (e.startTime < 3000) window.__bench.longest = Math.max(window.__bench.longest, e.duration); }))
  .observe({type: 'longtask', buffered: true}); } catch (e) {}
(function poll() {
  document.querySelectorAll('.scalelab-figure').forEach(el => {
    if (!(el.id in window.__bench.drawn) && el.querySelector('.main-svg .trace'))
      window.__bench.drawn[el.id] = performance.now();
  });
  requestAnimationFrame(poll);
})();
function mark(e) {
  if (!e.target.closest || !e.target.closest('.scalelab-explorer, .scalelab-figure')) return;
  const t0 = e.timeStamp;
  requestAnimationFrame(() => setTimeout(() => window.__bench.moves.push(performance.now() - t0), 0));
}
document.addEventListener('input', mark, true);
document.addEventListener('mousedown', mark, true);
"""

# A bare Plotly.restyle of the figure's traces to the given data, timed the same way.
BARE_RESTYLE = """([id, data]) => new Promise(done => {
  const gd = document.getElementById(id), t0 = performance.now();
  Plotly.restyle(gd, {x: data.map(t => t[0]), y: data.map(t => t[1])}, data.map((_, i) => i));
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
})"""


def chapter_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    only = os.environ.get("BENCH_PAGES", "")  # e.g. BENCH_PAGES=03 for a quick look at one chapter
    return [f"{f}.html" for f in files if f.startswith("notebooks/") and (HTML / f"{f}.html").exists()
            and all(part in f for part in only.split(","))]


def serve() -> tuple[str, http.server.ThreadingHTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def new_page(browser, rate: int, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(120_000 * rate)
    page.set_default_navigation_timeout(120_000 * rate)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort())
    page.add_init_script(PROBE)
    if rate != 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})
    return context, page


def wait_drawn(page, fig_id: str, timeout_ms: float) -> float | None:
    try:
        page.wait_for_function(f"'{fig_id}' in window.__bench.drawn", timeout=timeout_ms)
    except Exception:
        return None
    return page.evaluate(f"window.__bench.drawn['{fig_id}']")


def compressed_size(response) -> int:
    try:
        body = response.body()
    except Exception:
        return int(response.headers.get("content-length", 0))
    kind = response.headers.get("content-type", "")
    return len(gzip.compress(body, 6)) if any(t in kind for t in TEXT_TYPES) else len(body)


def load_metrics(browser, base: str, path: str, ids: list[str], rate: int) -> dict:
    """First figure (opened at its anchor), first viewport, longest task, transfer size."""
    out: dict = {"first": None, "viewport": None, "n_viewport": 0, "longest": 0.0, "bytes": 0, "plotly_bytes": 0}
    slow = 60_000 * rate
    if ids:
        context, page = new_page(browser, rate)
        page.goto(f"{base}/{path}#{ids[0]}", wait_until="domcontentloaded")
        out["first"] = wait_drawn(page, ids[0], slow)
        context.close()
    context, page = new_page(browser, rate)
    responses: list = []
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    in_view = page.evaluate("""() => [...document.querySelectorAll('.scalelab-figure')]
        .filter(el => el.getBoundingClientRect().top < innerHeight).map(el => el.id)""")
    times = [wait_drawn(page, i, slow) for i in in_view]
    out["n_viewport"] = len(in_view)
    out["viewport"] = (max(times) if all(t is not None for t in times) else None) if in_view else 0.0
    page.wait_for_timeout(max(0, 3000 - page.evaluate("performance.now()")))
    out["longest"] = page.evaluate("window.__bench.longest")
    for r in responses:
        if r.status == 200:
            size = compressed_size(r)
            out["bytes"] += size
            if "plotly" in r.url.rsplit("/", 1)[-1]:
                out["plotly_bytes"] += size
    out["moves"], out["bare"], out["scrolled"] = control_metrics(page, ids, rate)
    out["draw"] = max(page.evaluate("window.__bench.draws"), default=0.0)
    context.close()
    return out


def controls(page, fig_id: str) -> list[tuple[str, int]]:
    """(kind, index) of every control of a figure: native inputs or plotly SVG sliders."""
    native = page.evaluate(f"""() => {{ const box = document.getElementById('{fig_id}-box');
        return box ? [...box.querySelectorAll('.scalelab-controls input[type=range], .scalelab-controls select')]
            .map(e => e.tagName.toLowerCase()) : []; }}""")
    if native:
        return [(kind, i) for i, kind in enumerate(native)]
    n = page.evaluate(f"((document.getElementById('{fig_id}').layout || {{}}).sliders || []).length")
    return [("svg", i) for i in range(n)]


def move(page, fig_id: str, kind: str, index: int, step: int) -> bool:
    """One reader's move of a control: to one end, then to the other, alternately.

    A control already at the end it would move to goes to the other end instead (a move
    that changes nothing fires no input event); one with a single position cannot move,
    and ``False`` says so.
    """
    if kind == "svg":
        rail = page.locator(f"#{fig_id} .slider-group").nth(index).locator(".slider-rail-touch-rect")
        box = rail.bounding_box()
        fraction = 0.95 if step % 2 == 0 else 0.05
        page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)
        return True
    control = page.locator(f"#{fig_id}-box .scalelab-controls").locator("input[type=range], select").nth(index)
    if kind == "input":
        low, high, value = control.evaluate("e => [e.min, e.max, e.value].map(Number)")
        if low == high:
            return False
        to_end = step % 2 == 0
        if value == (high if to_end else low):
            to_end = not to_end
        control.focus()
        page.keyboard.press("End" if to_end else "Home")
    else:
        n, current = control.evaluate("e => [e.options.length, e.selectedIndex]")
        if n < 2:
            return False
        target = (n - 1) if step % 2 == 0 else 0
        if current == target:
            target = (n - 1) - target
        control.select_option(index=target)
    return True


def shown(page, fig_id: str):
    return page.evaluate(f"document.getElementById('{fig_id}').data.map(t => [t.x, t.y])")


def control_metrics(page, ids: list[str], rate: int) -> tuple[list[float], list[float], list[float]]:
    """Input-to-painted-frame times of every control, bare restyles of the same traces, and
    each figure's time from being scrolled to to drawn (in page order, from the top)."""
    moves, bare, scrolled = [], [], []
    for fig_id in ids:
        # The scroll and its time stamp in one task of the page (no round trip in between).
        t0 = page.evaluate("id => { const t = performance.now(); "
                           "document.getElementById(id).scrollIntoView({block: 'center'}); return t; }", fig_id)
        drawn = wait_drawn(page, fig_id, 60_000 * rate)
        if drawn is None:
            continue
        scrolled.append(max(0.0, drawn - t0))
        for kind, index in controls(page, fig_id):
            for step in range(MOVES[rate]):
                before = shown(page, fig_id)
                count = page.evaluate("window.__bench.moves.length")
                if not move(page, fig_id, kind, index, step):
                    break
                page.wait_for_function(f"window.__bench.moves.length > {count}", timeout=30_000 * rate)
                page.wait_for_timeout(50)
                after = shown(page, fig_id)
                moves.append(page.evaluate("window.__bench.moves[window.__bench.moves.length - 1]"))
                bare.append(page.evaluate(BARE_RESTYLE, [fig_id, before]))
                page.evaluate(BARE_RESTYLE, [fig_id, after])  # back to what the control shows
    return moves, bare, scrolled


def fmt(ms: float | None) -> str:
    return "  n/a" if ms is None else f"{ms:5.0f}"


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not (HTML / "index.html").exists():
        sys.exit(f"no built book in {HTML}: run `make book` first")
    base, server = serve()
    summary: dict[int, dict] = {}
    heaviest = heaviest_rest = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            for rate in [int(r) for r in os.environ.get("BENCH_RATES", "1,4").split(",")]:
                print(f"-- CPU throttling {rate}x", flush=True)
                all_moves, all_bare, firsts, draws, scrolls = [], [], [], [], []
                for path in chapter_pages():
                    ids = list(dict.fromkeys(FIGURE_ID.findall((HTML / path).read_text(encoding="utf-8"))))
                    load = load_metrics(browser, base, path, ids, rate)
                    moves, bare = load["moves"], load["bare"]
                    all_moves += moves
                    all_bare += bare
                    draws.append(load["draw"])
                    scrolls += load["scrolled"]
                    if load["first"] is not None:
                        firsts.append(load["first"])
                    heaviest = max(heaviest, load["bytes"])  # the same at every throttling rate
                    heaviest_rest = max(heaviest_rest, load["bytes"] - load["plotly_bytes"])
                    view = "none" if not load["n_viewport"] else fmt(load["viewport"]) + " ms"
                    p95 = f"{np.percentile(moves, 95):4.0f}" if moves else " n/a"
                    ref = f"{np.percentile(bare, 95):4.0f}" if bare else " n/a"
                    print(f"{Path(path).stem:28s} figures {len(ids):2d}  first {fmt(load['first'])} ms  "
                          f"first viewport {view:>8s}  longest task {load['longest']:5.0f} ms  "
                          f"longest draw {load['draw']:4.0f} ms  "
                          f"scroll to figure max {max(load['scrolled'], default=0):4.0f} ms  "
                          f"controls p95 {p95} ms (bare restyle {ref} ms, {len(moves)} moves)  "
                          f"transfer {load['bytes'] / 1e6:4.2f} MB ({(load['bytes'] - load['plotly_bytes']) / 1e6:4.2f} MB without plotly.js)",
                          flush=True)
                summary[rate] = {
                    "p95": float(np.percentile(all_moves, 95)) if all_moves else float("nan"),
                    "p50": float(np.percentile(all_moves, 50)) if all_moves else float("nan"),
                    "bare": float(np.percentile(all_bare, 95)) if all_bare else float("nan"),
                    "first": float(np.median(firsts)) if firsts else float("nan"),
                    "first_max": max(firsts) if firsts else float("nan"),
                    "n": len(all_moves),
                    "draw": max(draws, default=0.0),
                    "scroll95": float(np.percentile(scrolls, 95)) if scrolls else float("nan"),
                    "ahead": sum(1 for t in scrolls if t == 0.0), "figures": len(scrolls),
                }
                s = summary[rate]
                print(f"   {rate}x: {s['n']} control moves, p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms; "
                      f"bare restyle p95 {s['bare']:.0f} ms; first figure median {s['first']:.0f} ms, "
                      f"slowest page {s['first_max']:.0f} ms; longest figure draw {s['draw']:.0f} ms; "
                      f"scroll to figure p95 {s['scroll95']:.0f} ms ({s['ahead']} of {s['figures']} figures drawn "
                      "before the reader reached them)", flush=True)
            browser.close()
    finally:
        server.shutdown()
    rates = sorted(summary)
    each = [f"{'within' if summary[r]['p95'] <= 1.3 * summary[r]['bare'] else 'outside'} it at {r}x "
            f"({summary[r]['p95'] / summary[r]['bare']:.2f}x)" for r in rates]
    print(f"Verdict: control moves against the 1.3x-of-bare-restyle target: {'; '.join(each)}; heaviest page "
          f"without plotly.js {heaviest_rest / 1e6:.2f} MB (target < 1.5 MB).")
    one = summary[rates[0]]
    line = (f"static controls p95 {one['p95']:.0f} ms = {one['p95'] / one['bare']:.2f} x bare restyle; "
            f"first figure {one['first']:.0f} ms; heaviest page {heaviest / 1e6:.2f} MB")
    extra = [f"{r}x: p95 {summary[r]['p95']:.0f} ms = {summary[r]['p95'] / summary[r]['bare']:.2f} x bare restyle, "
             f"first figure {summary[r]['first']:.0f} ms" for r in rates[1:]]
    print(line + (f" ({'; '.join(extra)})" if extra else "") + ("" if rates[0] == 1 else f" [at {rates[0]}x]"))


if __name__ == "__main__":
    main()
