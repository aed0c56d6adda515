"""The built book, opened as a reader would, in headless Chromium.

Every page: no console error, no request to any host but 127.0.0.1, every figure drawn
once it is scrolled to, mathematics typeset, no serious or critical accessibility
violation (axe-core), no sideways scrolling at a 390 px wide viewport, a first visit
(everything but plotly.js) under 1.5 MB compressed. Every static control is a native,
labelled input: moving it (from the keyboard) makes one plotly call, changes its figure
to the precomputed frame for the combination of all controls' positions, keeps the other
controls where they were, and updates the figure's text alternative. Figures follow the
theme's light/dark mode without a reload. No test here measures speed: `make bench` does.
"""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlparse

import pytest

from .conftest import HTML, ROOT

pytestmark = pytest.mark.book

PAGES = sorted(
    str(p.relative_to(HTML))
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).parts[0].startswith("_")
)
PAGES_WITH_FIGURES = [p for p in PAGES if "scalelab-figure" in (HTML / p).read_text(encoding="utf-8")]
FIRST_VISIT_LIMIT = 1_500_000  # bytes, compressed, everything but plotly.js (issue 13)

# Counts every plotly call that redraws, so a test can check one call per control move.
COUNT_CALLS = """() => {
  window.__calls = [];
  for (const name of ['newPlot', 'react', 'restyle', 'relayout', 'update', 'redraw']) {
    const original = Plotly[name];
    Plotly[name] = function () { window.__calls.push(name); return original.apply(this, arguments); };
  }
}"""


def open_page(browser, site: str, page_path: str, width: int = 1280, color_scheme: str = "light"):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
    problems: list[str] = []
    outside: list[str] = []
    responses: list = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if host not in ("127.0.0.1", None) and not r.request.url.startswith("data:"):
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{site}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.responses = responses
    return page, problems, outside


def figures(page) -> list[str]:
    return page.eval_on_selector_all(".scalelab-figure", "els => els.map(e => e.id)")


def draw(page, fig_id: str) -> None:
    """Scroll to a figure and wait until it is drawn (figures draw as they near the viewport)."""
    page.locator(f"#{fig_id}").scroll_into_view_if_needed()
    page.wait_for_selector(f"#{fig_id}.js-plotly-plot .main-svg", timeout=30_000)


def draw_all(page) -> None:
    for fig_id in figures(page):
        draw(page, fig_id)


def draw_players(page) -> list[str]:
    """Scroll to every run player and wait until it is drawn; their ids."""
    ids = page.eval_on_selector_all(".scalelab-player-figure", "els => els.map(e => e.id)")
    for pid in ids:
        page.locator(f"#{pid}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
    return ids


def expected_alt(page, fig_id: str, positions: list[int]) -> str:
    """The text alternative for these positions: the page's describer applied to the
    precomputed frame and title (so a caption left at another frame's numbers differs)."""
    return page.evaluate(
        """([id, pos]) => {
            const spec = JSON.parse(document.getElementById(id + '-data').textContent), A = spec.arrays;
            let k = 0; pos.forEach((p, j) => { k = k * spec.shape[j] + p; });
            const traces = spec.figure.data.map((t, n) => {
                if (!spec.frames[k]) return t;  // no frame: the figure as written
                const f = spec.frames[k][n];
                return Object.assign({}, t, Array.isArray(f) ? {x: A[f[0]], y: A[f[1]]} : {y: A[f]});
            });
            const title = spec.titles ? spec.titles[k] : ((spec.figure.layout.title || {}).text || '');
            if (spec.summaries) return window.scalelab.summarised(title, spec.summaries[k]);
            return window.scalelab.describe(title, spec.figure.layout, traces);
        }""", [fig_id, positions])


def wait_caption(page, fig_id: str) -> str:
    """The text alternative once it describes the frame the plot shows (it follows once the
    frame is painted, and once per burst of moves)."""
    page.wait_for_function(
        f"document.getElementById('{fig_id}-alt').getAttribute('data-frame')"
        f" === document.getElementById('{fig_id}').getAttribute('data-frame')", timeout=10_000)
    return page.inner_text(f"#{fig_id}-alt")


def shown_data(page, fig_id: str) -> str:
    return page.evaluate(f"JSON.stringify(document.getElementById('{fig_id}').data.map(t => [t.x, t.y]))")


def control_values(page, fig_id: str) -> list[int]:
    return page.evaluate(
        f"[...document.querySelectorAll('#{fig_id}-box [data-scalelab-control]')].map(c => +c.value)")


def controls(page, fig_id: str) -> list[str]:
    return page.evaluate(
        f"[...document.querySelectorAll('#{fig_id}-box [data-scalelab-control]')].map(c => c.tagName.toLowerCase())")


def move(page, fig_id: str, index: int, to_end: bool) -> None:
    """A reader's move from the keyboard: End or Home on a range input; a select's last or first option."""
    control = page.locator(f"#{fig_id}-box [data-scalelab-control]").nth(index)
    if control.evaluate("c => c.tagName") == "SELECT":
        n = control.evaluate("c => c.options.length")
        control.select_option(index=n - 1 if to_end else 0)
    else:
        control.focus()
        page.keyboard.press("End" if to_end else "Home")


def at_end(page, fig_id: str, index: int) -> bool:
    return page.locator(f"#{fig_id}-box [data-scalelab-control]").nth(index).evaluate(
        "c => c.tagName === 'SELECT' ? c.selectedIndex === c.options.length - 1 : +c.value === +c.max")


def expected_frame(page, fig_id: str, positions: list[int]) -> str:
    """The precomputed frame the page should show for these control positions."""
    return page.evaluate(
        """([id, pos]) => {
            const spec = JSON.parse(document.getElementById(id + '-data').textContent);
            let k = 0; pos.forEach((p, j) => { k = k * spec.shape[j] + p; });
            return JSON.stringify(spec.frames[k].map((t, n) => Array.isArray(t)
                ? [spec.arrays[t[0]], spec.arrays[t[1]]] : [spec.figure.data[n].x, spec.arrays[t]]));
        }""",
        [fig_id, positions],
    )


def toc_files() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def test_every_page_of_the_toc_was_built():
    missing = [f for f in toc_files() if f"{f}.html" not in PAGES]
    assert not missing, f"in _toc.yml but not built: {missing}"
    assert "notebooks/03-scaling-up.html" in PAGES


def compressed(response) -> int:
    try:
        body = response.body()
    except Exception:  # a redirect's body is gone once the page moves on
        return int(response.headers.get("content-length", 0))
    kind = response.headers.get("content-type", "")
    text = any(t in kind for t in ("text/", "javascript", "json", "svg", "xml"))
    return len(gzip.compress(body, 6)) if text else len(body)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_offline_without_errors_and_stays_light(browser, site, page_path):
    page, problems, outside = open_page(browser, site, page_path)
    try:
        draw_all(page)
        if page.locator(".math").count():
            page.wait_for_selector(".MathJax, .MathJax_Display, mjx-container", timeout=15_000, state="attached")  # typeset (the first may sit in a closed solution)
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
        rest = sum(compressed(r) for r in page.responses
                   if r.status == 200 and "plotly" not in r.url.rsplit("/", 1)[-1])
        assert rest < FIRST_VISIT_LIMIT, f"first visit without plotly.js is {rest} bytes compressed"
    finally:
        page.close()


def test_figures_wait_for_the_reader_to_scroll_to_them(browser, site):
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    try:
        ids = figures(page)
        below = [i for i in ids if page.evaluate(f"document.getElementById('{i}').getBoundingClientRect().top > 3 * innerHeight")]
        assert below, "chapter 3 has no figure far below the first screen"
        assert not page.evaluate(f"!!document.querySelector('#{below[-1]} .main-svg')"), "drawn before it was needed"
        draw(page, below[-1])
        assert not problems, problems
    finally:
        page.close()


def test_a_link_to_a_figure_draws_it_before_the_page_is_typeset(browser, site):
    """A reader following a link to a figure far down the page gets it drawn by the page script
    itself, before MathJax typesets and before DOMContentLoaded: the lazy observer would wait
    for the scroll and a frame. The figures around it still wait for the reader."""
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    ids = figures(page)
    page.close()
    target = ids[-2]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
        page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
            window.__atReady = [...document.querySelectorAll('.scalelab-figure')]
                .filter(el => el.querySelector('.main-svg')).map(el => el.id);
        });
        new MutationObserver((_, watch) => {
            if (document.querySelector('.scalelab-figure .main-svg')) {
                window.__typesetAtDraw = document.querySelectorAll('mjx-container').length;
                watch.disconnect();
            }
        }).observe(document, {childList: true, subtree: true});""")
        page.goto(f"{site}/notebooks/03-scaling-up.html#{target}", wait_until="load")
        drawn = page.evaluate("window.__atReady")
        assert drawn == [target], f"drawn by DOMContentLoaded: {drawn}, wanted only the linked {target}"
        assert page.evaluate("window.__typesetAtDraw") == 0, "MathJax typeset the page before the figure was drawn"
        assert page.locator("mjx-container").count() > 0, "chapter 3 has no typeset mathematics to race"
        assert page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top < innerHeight"), (
            "the page did not land at the linked figure")
        assert not page.evaluate(f"!!document.querySelector('#{ids[0]} .main-svg')"), "a figure far above was drawn too"
    finally:
        page.close()


@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_every_static_control_changes_its_figure_and_keeps_the_others(browser, site, page_path):
    page, problems, outside = open_page(browser, site, page_path)
    try:
        moved = 0
        page.evaluate(COUNT_CALLS)
        empty = page.evaluate("""() => [...document.querySelectorAll('figure.scalelab-explorer')].filter(box => {
            const id = box.id.replace(/-box$/, ''), spec = JSON.parse(document.getElementById(id + '-data').textContent);
            const alt = document.getElementById(id + '-alt').textContent;
            return (alt.match(/nothing to draw here/g) || []).length >= spec.figure.data.length;
        }).map(box => box.id)""")
        assert not empty, f"text alternatives that describe no curve at all: {empty}"
        for fig_id in figures(page):
            # The text written into the page (by Python) is what the page script says of that frame.
            written = page.inner_text(f"#{fig_id}-alt")
            assert written == expected_alt(page, fig_id, control_values(page, fig_id)), (
                f"{fig_id}: the page's text alternative and the page script's differ")
            draw(page, fig_id)
            kinds = controls(page, fig_id)
            for i, kind in enumerate(kinds):
                label = page.evaluate(f"document.querySelector('label[for=\"{fig_id}-c{i}\"]')?.textContent")
                assert label and label.strip(), f"{fig_id}: control {i} has no label"
                first = not at_end(page, fig_id, i)
                for to_end in (first, not first):  # to one end, then the other: always a change
                    before_data, before = shown_data(page, fig_id), control_values(page, fig_id)
                    before_alt = page.inner_text(f"#{fig_id}-alt")
                    page.evaluate("window.__calls = []")
                    move(page, fig_id, i, to_end)
                    page.wait_for_function(
                        f"JSON.stringify(document.getElementById('{fig_id}').data.map(t => [t.x, t.y]))"
                        f" !== {json.dumps(before_data)}", timeout=10_000)
                    page.wait_for_timeout(50)
                    after = control_values(page, fig_id)
                    assert after[i] != before[i], f"{fig_id}: control {i} did not move"
                    assert [a for j, a in enumerate(after) if j != i] == [
                        b for j, b in enumerate(before) if j != i
                    ], f"{fig_id}: moving control {i} moved another one"
                    assert shown_data(page, fig_id) == expected_frame(page, fig_id, after), (
                        f"{fig_id}: figure does not show the frame for positions {after}")
                    calls = page.evaluate("window.__calls")
                    assert calls == ["restyle"], f"{fig_id}: plotly calls {calls}"
                    alt = wait_caption(page, fig_id)
                    assert alt == expected_alt(page, fig_id, after), f"{fig_id}: the text alternative is not this frame's"
                    title = page.inner_text(f"#{fig_id}-box .scalelab-title")  # the title, above the plot
                    assert title and alt.startswith(title + "."), f"{fig_id}: title {title!r}, alt text {alt!r}"
                    if title not in before_alt:
                        assert alt != before_alt, f"{fig_id}: the text alternative did not follow the controls"
                    if kind == "input":
                        value = page.evaluate(f"document.getElementById('{fig_id}-c{i}').getAttribute('aria-valuetext')")
                        shown = page.inner_text(f"#{fig_id}-c{i}-value")
                        assert value == shown, f"{fig_id}: announced {value!r}, shown {shown!r}"
                    moved += 1
        assert moved >= 2, f"{page_path}: no static control was exercised"
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
    finally:
        page.close()


# Figures whose axes the text alternatives must read with care: named ticks (chapters 4, 5),
# a right-hand axis (chapters 1, 2), subplots (chapter 4), and lanes left out of the legend.
TRICKY_FIGURES = [
    ("ticks", {"xaxis": {"title": {"text": "protocol"}, "tickvals": [0, 1], "ticktext": ["TCP", "<b>UDP</b>"]},
               "yaxis": {"tickvals": [2, 1, 0], "ticktext": ["A", "B", 7]}},
     [{"name": "data", "x": [0, 1], "y": [86.8, 88.6]}, {"name": "send", "x": [2, 5.5], "y": [2, 0.5]},
      {"x": [0, 9], "y": [1, 1], "showlegend": False}, {"x": [0, 1, 2, 3, 4], "y": [0, 0, 0, 1e-9, 0]}]),
    ("right axis", {"xaxis": {"title": {"text": "rate"}}, "yaxis2": {"title": "ms", "overlaying": "y", "side": "right"}},
     [{"name": "drops", "x": [0, 1], "y": [1, 2]}, {"name": "latency", "x": [0, 1], "y": [5, 50], "yaxis": "y2"}]),
    ("panels", {"xaxis": {"domain": [0, 0.45]}, "xaxis2": {"domain": [0.55, 1], "title": {"text": "loss"}},
                "xaxis3": {"domain": [0, 1], "title": {"text": "loss"}}, "yaxis3": {"domain": [0, 0.3]},
                "yaxis": {"domain": [0.4, 1]}, "yaxis2": {"domain": [0.4, 1]},
                "annotations": [{"text": "share", "x": 0.225, "y": 1, "xref": "paper", "yref": "paper"},
                                {"text": "latency", "x": 0.775, "y": 1.0, "xref": "paper", "yref": "paper"},
                                {"text": "a note", "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}]},
     [{"name": "UDP", "x": [0, 0.1], "y": [1, 0.9]}, {"name": "UDP", "x": [0, 0.1], "y": [30, 31], "xaxis": "x2", "yaxis": "y2"},
      {"name": "TCP", "x": [0, 0.1, 0.2, 0.3, 0.4], "y": [35, 90, 91, None, 2], "xaxis": "x3", "yaxis": "y3"}]),
    ("edges", {"xaxis": {"tickvals": [1, 2, 3, 4], "ticktext": [0.1 + 0.2, 1234.5, None, True]},
               "xaxis2": {"overlaying": "x", "title": {"text": "top"}},
               "yaxis2": {"overlaying": "y", "title": {"text": "left two"}},
               "annotations": [{"text": "no place", "x": None, "y": 1, "xref": "paper", "yref": "paper"}]},
     [{"name": "a", "x": [1, 2, 3, 4], "y": [1, 2, 3, 4]}, {"name": "b", "x": [1], "y": [5], "xaxis": "x2"},
      {"name": "c", "x": [1], "y": [6], "yaxis": "y2"}, {"name": "d", "x": [1], "y": [7], "yaxis": "y9"}]),
    ("bands", {},
     [{"type": "bar", "name": "band", "x": ["a", "b"], "y": [25, 16], "base": [31, 22]},
      {"type": "bar", "name": "scalar", "x": [1, 2, 3, 4, 5, 6], "y": [1, 2, 3, 4, 5, 0.5], "base": 10},
      {"type": "bar", "name": "partial", "x": [1, 2], "y": [1, 2], "base": [5, None]}]),
]


def test_the_page_script_and_the_page_describe_tricky_axes_alike(browser, site):
    """The describer in explorer.js and its Python twin (which writes the first text) agree
    word for word where the axes need care, and read them as a listener needs."""
    from scalelab.explorer import _describe

    page, problems, _ = open_page(browser, site, PAGES_WITH_FIGURES[0])
    try:
        for label, layout, traces in TRICKY_FIGURES:
            said = page.evaluate("([l, t]) => window.scalelab.describe('T', l, t)", [layout, traces])
            assert said == _describe("T", layout, traces), label
        ticks, right, panels, edges, bands = (_describe("T", layout, traces) for _, layout, traces in TRICKY_FIGURES)
        assert "data: 86.8 at TCP, 88.6 at UDP. send: A at 2, 0.5 at 5.5." in ticks and "7" in ticks
        assert ticks.count("curve") == 1, "a lane left out of the legend is described"
        assert "right-hand axis: ms." in right and "latency (right-hand axis): 5 at 0" in right
        assert "Horizontal axis: loss; vertical axis: as each panel's title says." in panels
        assert "share, UDP: 1 at 0" in panels and "latency, UDP: 30 at 0" in panels and "panel 3, TCP" in panels
        # tick labels said in full, as the axis shows them; an overlaying axis on the left is not
        # "right-hand"; a second x axis over the first shares its panel; an axis missing from
        # the layout takes no other panel's title, and no annotation off the page's numbers titles one
        assert "a: 1 at 0.30000000000000004, 2 at 1234.5, 3 at null, 4 at true." in edges
        assert "second left-hand axis: left two." in edges and "c (second left-hand axis)" in edges
        assert "panel 1, a:" in edges and "panel 1, b:" in edges and "panel 9, d:" in edges
        assert "no place" not in edges
        # a bar drawn up from a base (a band) is said from its base to its end
        assert "band: 31 to 56 at a, 22 to 38 at b." in bands and "partial: 5 to 6 at 1, 2 at 2." in bands
        assert "scalar: from 11 at 1 to 10.5 at 6; highest 15 at 5, lowest 10.5 at 6." in bands  # many: their ends
        # a line break in a title is a space, in the text alternative as in the title above the plot
        layout, traces = {"xaxis": {"title": {"text": "wait<br>(s)"}}, "yaxis": {"title": {"text": "y"}}}, \
            [{"x": [0, 1], "y": [1, 2], "name": "a"}]
        said = page.evaluate("([l, t]) => window.scalelab.describe('one<br>two<BR/>three', l, t)", [layout, traces])
        assert said == _describe("one<br>two<BR/>three", layout, traces)
        assert said.startswith("one two three. Horizontal axis: wait (s);"), said
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.parametrize("linked", [False, True], ids=["scrolled-to", "linked"])
def test_positions_the_browser_restores_are_shown_announced_and_described(browser, site, linked):
    """Back to a page whose controls were moved: the browser puts the controls back where the
    reader left them; the value shown, the value announced, the figure and its text
    alternative must follow them, not the page's defaults. A linked figure is drawn when the
    page script runs, before the browser restores the controls."""
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    fig_id = next(f for f in figures(page) if "input" in controls(page, f))
    if linked:
        page.close()
        page, problems, _ = open_page(browser, site, f"notebooks/03-scaling-up.html#{fig_id}")
    try:
        i = controls(page, fig_id).index("input")
        draw(page, fig_id)
        default_alt = page.inner_text(f"#{fig_id}-alt")
        move(page, fig_id, i, not at_end(page, fig_id, i))
        moved = control_values(page, fig_id)
        page.goto(f"{site}/notebooks/04-networks.html", wait_until="load")  # (index.html only redirects)
        page.go_back(wait_until="load")
        assert control_values(page, fig_id) == moved, "the browser did not restore the moved control"
        draw(page, fig_id)
        alt = wait_caption(page, fig_id)
        assert shown_data(page, fig_id) == expected_frame(page, fig_id, moved), "the figure shows the defaults"
        assert alt == expected_alt(page, fig_id, moved), "the text alternative is not the restored frame's"
        value = page.evaluate(f"document.getElementById('{fig_id}-c{i}').getAttribute('aria-valuetext')")
        assert value == page.inner_text(f"#{fig_id}-c{i}-value"), "announced and shown values differ"
        assert page.inner_text(f"#{fig_id}-alt") != default_alt, "the text alternative describes the defaults"
        assert not problems, problems
    finally:
        page.close()


def test_a_move_before_its_figure_is_drawn_updates_its_text_alternative(browser, site):
    """A control moved while its figure is still undrawn (far down the page, or plotly.js not
    loaded yet): the value shown and the text alternative follow at once; the plot later."""
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    try:
        far = [f for f in figures(page) if "input" in controls(page, f) and page.evaluate(
            f"document.getElementById('{f}').getBoundingClientRect().top > 3 * innerHeight")]
        assert far, "chapter 3 has no figure with a slider far below the first screen"
        fig_id = far[-1]
        i = controls(page, fig_id).index("input")
        page.evaluate("""([id, i]) => { const c = document.getElementById(id + '-c' + i);
            c.value = +c.value === +c.max ? c.min : c.max; c.dispatchEvent(new Event('input', {bubbles: true})); }""",
                      [fig_id, i])
        positions = control_values(page, fig_id)
        page.wait_for_timeout(400)
        assert not page.evaluate(f"!!document.querySelector('#{fig_id} .main-svg')"), "drawn before it was needed"
        assert page.inner_text(f"#{fig_id}-alt") == expected_alt(page, fig_id, positions), "the caption kept the defaults"
        draw(page, fig_id)
        assert shown_data(page, fig_id) == expected_frame(page, fig_id, positions)
        assert not problems, problems
    finally:
        page.close()


def test_a_burst_of_moves_is_applied_at_once_then_merged_into_one_frame(browser, site):
    """The first move runs its plotly call at once; moves arriving before the next frame are merged."""
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    try:
        page.evaluate(COUNT_CALLS)
        fig_id = next(f for f in figures(page) if "input" in controls(page, f))
        draw(page, fig_id)
        i = controls(page, fig_id).index("input")
        page.evaluate("window.__calls = []")
        # Five positions set and announced in one task: no frame can be painted in between.
        last = page.evaluate(f"""() => {{
            const c = document.getElementById('{fig_id}-c{i}'), lo = +c.min, hi = +c.max;
            const here = +c.value, there = here === hi ? lo : hi, steps = [there, here, there, here, there];
            steps.forEach(v => {{ c.value = v; c.dispatchEvent(new Event('input', {{bubbles: true}})); }});
            return {{calls: window.__calls.length, value: +c.value}};
        }}""")
        assert last["calls"] == 1, f"the first move of the burst was not applied at once: {last}"
        page.wait_for_function("window.__calls.length >= 2", timeout=10_000)
        page.wait_for_timeout(200)  # several frames: nothing else may follow
        calls = page.evaluate("window.__calls")
        assert calls == ["restyle", "restyle"], f"plotly calls {calls}"
        assert shown_data(page, fig_id) == expected_frame(page, fig_id, control_values(page, fig_id)), (
            "after the burst the figure does not show the last position")
        assert wait_caption(page, fig_id) == expected_alt(page, fig_id, control_values(page, fig_id)), (
            "after the burst the text alternative does not describe the last position")
        assert not problems, problems
    finally:
        page.close()


def test_key_repeat_on_a_control_is_announced_at_most_twice_and_ends_true(browser, site):
    """The text alternative is an aria-live region, read out at every write: a key held down
    on a slider writes it at most twice (at once, and when the burst ends), ending true."""
    page, problems, _ = open_page(browser, site, "notebooks/03-scaling-up.html")
    try:
        fig_id = next(f for f in figures(page) if "input" in controls(page, f))
        i = controls(page, fig_id).index("input")
        draw(page, fig_id)
        wait_caption(page, fig_id)
        page.wait_for_timeout(400)  # a quiet spell before the burst
        page.evaluate("""id => { window.__writes = 0; new MutationObserver(() => { window.__writes++; })
            .observe(document.getElementById(id), {childList: true, characterData: true, subtree: true}); }""",
                      f"{fig_id}-alt")
        page.locator(f"#{fig_id}-c{i}").focus()
        page.keyboard.press("Home")
        for _ in range(12):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(40)
        alt = wait_caption(page, fig_id)
        page.wait_for_timeout(400)
        writes = page.evaluate("window.__writes")
        assert 1 <= writes <= 2, f"13 moves 40 ms apart wrote the text alternative {writes} times"
        assert alt == expected_alt(page, fig_id, control_values(page, fig_id)) == page.inner_text(f"#{fig_id}-alt")
        assert not problems, problems
    finally:
        page.close()


def serious_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("page_path", PAGES)
def test_no_serious_accessibility_violations(browser, site, page_path, axe_source):
    page, problems, _ = open_page(browser, site, page_path)
    try:
        draw_all(page)
        draw_players(page)
        assert not (serious := serious_violations(page, axe_source)), serious
    finally:
        page.close()


@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_no_serious_accessibility_violations_in_dark_mode(browser, site, page_path, axe_source):
    """The same check with the system in dark mode (the theme follows it): figures, players,
    their controls and text alternatives on the dark page."""
    page, problems, _ = open_page(browser, site, page_path, color_scheme="dark")
    try:
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "dark"
        draw_all(page)
        draw_players(page)
        assert not (serious := serious_violations(page, axe_source)), serious
    finally:
        page.close()


#: Contrast (WCAG 2) of a figure's ink and of its text alternative against the first opaque
#: background behind each.
#: WCAG 2 contrast in the page: a colour's channels (hex or rgb()/rgba()), the first opaque
#: background behind an element, relative luminance and contrast ratio.
WCAG_JS = """
  const rgb = c => /^#[0-9a-f]{6}$/i.test(c) ? [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16))
      : (c.match(/[\\d.]+/g) || []).map(Number);
  const behind = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
"""

CONTRAST = """id => {""" + WCAG_JS + """  const gd = document.getElementById(id), alt = document.getElementById(id + '-alt');
  return {"the figure's ink": ratio(rgb(gd._fullLayout.font.color), behind(gd)),
          "the text alternative": ratio(rgb(getComputedStyle(alt).color), behind(alt))};
}"""


@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES[:1])
def test_figures_follow_the_light_and_dark_modes(browser, site, page_path):
    page, problems, _ = open_page(browser, site, page_path)
    try:
        fig_id = figures(page)[0]
        draw(page, fig_id)
        ink = f"document.getElementById('{fig_id}')._fullLayout.font.color"
        light = page.evaluate(ink)
        page.evaluate("document.documentElement.setAttribute('data-theme', 'dark')")  # what the theme's toggle does
        page.wait_for_function(f"{ink} !== {json.dumps(light)}", timeout=5_000)
        dark = page.evaluate(ink)
        for what, ratio in page.evaluate(CONTRAST, fig_id).items():
            assert ratio >= 4.5, f"dark mode: {what} has contrast {ratio:.2f} against what lies behind it"
        page.evaluate("document.documentElement.setAttribute('data-theme', 'light')")
        page.wait_for_function(f"{ink} === {json.dumps(light)}", timeout=5_000)
        assert not problems, problems
    finally:
        page.close()
    page, problems, _ = open_page(browser, site, page_path, color_scheme="dark")  # the system preference
    try:
        draw(page, fig_id)
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "dark"
        assert page.evaluate(ink) == dark
    finally:
        page.close()


#: Every curve, marker, bar and arrow drawn in a figure or player: its colour as painted
#: (opacities mixed with what lies behind) and its contrast with the page behind it. A
#: marker or bar counts its fill or its outline, whichever stands out more (a faint band
#: with a strong edge is seen by its edge). Filled areas, error bars and layout shapes are
#: measured too. Letters written on markers sit on the marker, not the page: their
#: contrast is a unit test's (tests/test_palette.py), as is that of markers drawn on
#: other marks (it cannot be read from the SVG without knowing what overlaps what).
MARKS = """() => {""" + WCAG_JS + """  const out = [];
  for (const gd of document.querySelectorAll('.scalelab-figure.js-plotly-plot, .scalelab-player-figure.js-plotly-plot')) {
    const bg = behind(gd);
    // [colour, contrast] of an element's fill or stroke as painted, or null where it paints nothing
    const paint = (el, what) => {
      const st = getComputedStyle(el), c = rgb(st[what]);
      if (c.length < 3 || (what === 'stroke' && parseFloat(st.strokeWidth) === 0)) return null;
      let alpha = (c.length === 4 ? c[3] : 1) * +st[what + 'Opacity'];
      for (let a = el; a && a !== gd; a = a.parentElement) alpha *= +getComputedStyle(a).opacity;
      if (alpha === 0) return null;
      const seen = c.slice(0, 3).map((v, i) => alpha * v + (1 - alpha) * bg[i]);
      return [st[what] + (alpha < 1 ? ' at opacity ' + alpha.toFixed(2) : ''), +ratio(seen, bg).toFixed(2)];
    };
    const mark = (el, kind, ways) => {
      const seen = ways.map(w => paint(el, w)).filter(Boolean).sort((a, b) => b[1] - a[1]);
      if (seen.length) out.push([gd.id, kind, ...seen[0]]);
    };
    gd.querySelectorAll('.scatterlayer .trace path.js-line').forEach(el => mark(el, 'curve', ['stroke']));
    gd.querySelectorAll('.scatterlayer .trace .points path, .barlayer .point path').forEach(el =>
      mark(el, 'marker or bar', ['fill', 'stroke']));
    gd.querySelectorAll('.annotation-arrow-g path').forEach(el => mark(el, 'arrow', ['stroke']));
    gd.querySelectorAll('.scatterlayer .trace path.js-fill').forEach(el => mark(el, 'filled area', ['fill']));
    gd.querySelectorAll('.errorbar path').forEach(el => mark(el, 'error bar', ['stroke']));
    gd.querySelectorAll('.shapelayer path').forEach(el => mark(el, 'shape', ['fill', 'stroke']));
  }
  return out;
}"""


#: Moves every figure's and player's controls to their last (or first) positions, as a reader
#: would: a player's variant before its step (the step's range follows the variant's run).
SET_EVERY_CONTROL = """last => {
  for (const c of document.querySelectorAll('[data-scalelab-control], [data-scalelab-player-control], [data-scalelab-step]')) {
    c.value = String(last ? (c.tagName === 'SELECT' ? c.options.length - 1 : +c.max) : 0);
    c.dispatchEvent(new Event('input', {bubbles: true}));
    c.dispatchEvent(new Event('change', {bubbles: true}));
  }
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_every_curve_marker_and_arrow_stands_out_from_the_page(browser, site, page_path, scheme):
    """WCAG 2.1's 1.4.11 (non-text contrast): 3:1 or more against the page, in light and in
    dark mode, for what a reader must see to read a figure or a run, at three settings of
    every figure and player (defaults, every control last, every control first). axe-core
    does not check SVG graphics, so this test does."""
    page, problems, _ = open_page(browser, site, page_path, color_scheme=scheme)
    try:
        draw_all(page)
        draw_players(page)
        marks = [("defaults", *m) for m in page.evaluate(MARKS)]
        # Marks that appear only at other settings (a figure's frames, a player's later steps):
        # every control at its last position, then at its first.
        for setting in ("last", "first"):
            page.evaluate(SET_EVERY_CONTROL, setting == "last")
            page.wait_for_function("""() => [...document.querySelectorAll('.scalelab-figure')].every(gd =>
                gd.getAttribute('data-frame') === document.getElementById(gd.id + '-alt').getAttribute('data-frame'))""",
                                   timeout=30_000)
            page.wait_for_timeout(300)  # players draw their step at the next frame
            marks += [(f"every control {setting}", *m) for m in page.evaluate(MARKS)]
        assert len(marks) > 30, f"{page_path}: too few marks found to check ({len(marks)})"
        faint = sorted({(at, fig, kind, colour, r) for at, fig, kind, colour, r in marks if r < 3})
        assert not faint, f"{scheme} mode, under 3:1 against the page: {faint}"
    finally:
        page.close()


# Every figure's and player's title: written above its plot as text (where it wraps), aria-
# hidden, saying what the text alternative's first sentence says; none inside the plot.
TITLES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const t = gd.querySelector('.gtitle'), h = gd.previousElementSibling;
  const above = h && h.classList.contains('scalelab-title') && !h.hidden ? h : null;
  const alt = document.getElementById(gd.id + '-alt');
  return {id: gd.id, inPlot: t ? t.textContent : '', above: above ? above.textContent : null,
          hidden: above ? above.getAttribute('aria-hidden') : null,
          overflow: above ? above.scrollWidth - above.clientWidth : 0,
          wraps: above ? Math.round(above.getBoundingClientRect().height / parseFloat(getComputedStyle(above).lineHeight)) : 0,
          alt: alt ? alt.textContent : ''};
})"""


def titles_problems(page) -> list:
    return [r for r in page.evaluate(TITLES)
            if r["inPlot"] or r["above"] is None or r["hidden"] != "true" or r["overflow"] > 0
            or not r["alt"].startswith(r["above"] + ".")]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_every_title_is_written_above_its_plot_where_it_wraps(browser, site, page_path, width):
    """On a phone and on a laptop, no figure's or player's title is cut off at the plot's
    edges or overprinted by a legend that wraps to more rows: the title is text above the
    plot, wrapped to its width, saying what the text alternative's first sentence says.
    Moves and steps keep it so, each in one plotly call."""
    page, problems, _ = open_page(browser, site, page_path, width=width)
    try:
        draw_all(page)
        draw_players(page)
        page.wait_for_timeout(400)  # the text alternatives of the players' first steps
        found = page.evaluate(TITLES)
        assert found and not titles_problems(page), titles_problems(page)
        assert page.evaluate("document.querySelectorAll('.modebar-btn').length") == 0  # no icons over a legend
        if width == 390:
            assert any(r["wraps"] > 1 for r in found)  # long titles wrap on a phone
        page.evaluate(COUNT_CALLS)
        moved = [r["id"] for r in found if controls(page, r["id"])][:3]
        for fig_id in moved:
            page.evaluate("window.__calls = []")
            frame = page.get_attribute(f"#{fig_id}", "data-frame")
            move(page, fig_id, 0, to_end=not at_end(page, fig_id, 0))
            page.wait_for_function(f"document.getElementById('{fig_id}').getAttribute('data-frame') !== '{frame}'")
            page.wait_for_function(f"document.getElementById('{fig_id}-alt').getAttribute('data-frame') === "
                                   f"document.getElementById('{fig_id}').getAttribute('data-frame')")
            assert page.evaluate("window.__calls") == ["restyle"]
            assert not titles_problems(page), titles_problems(page)
        assert not problems, problems
    finally:
        page.close()


#: How far two boxes (DOMRects) overlap: the lesser of their overlap across and down, in px
#: (at most 0 when they are apart). Shared by the LABELS and CUT page scripts below.
OVERLAP_JS = """
  const overlap = (a, b) => Math.min(Math.min(a.right, b.right) - Math.max(a.left, b.left),
                                     Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
"""


# Text labels beside their points (not a letter drawn on its own marker, which can only be as
# far apart as the data are): each inside its plot area, clear of every other label and of
# every arrow.
LABELS = """() => {""" + OVERLAP_JS + """  const found = [];
  let checked = 0;
  for (const gd of document.querySelectorAll('.scalelab-figure.js-plotly-plot, .scalelab-player-figure.js-plotly-plot')) {
    const s = gd._fullLayout._size, svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const area = {left: svg.left + s.l, top: svg.top + s.t, right: svg.left + s.l + s.w, bottom: svg.top + s.t + s.h};
    const boxes = [];
    for (const g of gd.querySelectorAll('.scatterlayer .trace')) {
      const trace = g.__data__ && g.__data__[0] && g.__data__[0].trace;
      if (!trace || trace.visible !== true || trace.textposition === 'middle center') continue;
      for (const t of g.querySelectorAll('.textpoint text'))
        if (t.textContent.trim()) boxes.push({text: t.textContent, r: t.getBoundingClientRect()});
    }
    checked += boxes.length;
    for (const b of boxes) {
      const out = Math.max(area.left - b.r.left, area.top - b.r.top, b.r.right - area.right, b.r.bottom - area.bottom);
      if (out > 0.5) found.push({id: gd.id, out: Math.round(out), text: b.text});
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const o = overlap(boxes[i].r, boxes[j].r);
      if (o > 0.5) found.push({id: gd.id, overlap: Math.round(o), texts: [boxes[i].text, boxes[j].text]});
    }
    for (const path of gd.querySelectorAll('.annotation-arrow-g path')) {  // an arrow through a label
      const m = path.getScreenCTM(), n = path.getTotalLength();
      for (let d = 0; d <= n; d += 2) {
        const p = path.getPointAtLength(d).matrixTransform(m);
        const hit = boxes.find(b => p.x > b.r.left + 0.5 && p.x < b.r.right - 0.5 && p.y > b.r.top + 0.5 && p.y < b.r.bottom - 0.5);
        if (hit) { found.push({id: gd.id, arrow: hit.text}); break; }
      }
    }
  }
  return {found, checked};
}"""


# Text of a plot (axis titles, tick labels, legend entries, annotations, labels) that runs
# past its figure's edges, where the page cuts it off, that plotly scaled down to fit (bar
# labels: under 9 px), or that prints over other text (titles, legend, annotations, bar
# labels; level tick labels of one axis) or over another bar; and category axes that leave
# some categories unlabelled.
CUT = """() => {""" + OVERLAP_JS + """  const found = [];
  const TITLES = '[class^="g-x"][class$="title"] text, [class^="g-y"][class$="title"] text';  // every axis's
  // one group per axis (overaxes: axes drawn over another's plot, e.g. a right-hand y axis)
  const AXES = ['.xaxislayer-above', '.yaxislayer-above', '.overaxes-above > g'];
  const TICKS = AXES.map(a => a + ' text').join(', ');
  for (const gd of document.querySelectorAll('.scalelab-figure.js-plotly-plot, .scalelab-player-figure.js-plotly-plot')) {
    const box = gd.getBoundingClientRect();
    for (const t of gd.querySelectorAll(`${TITLES}, ${TICKS}, .legend text, .annotation-text, .textpoint text, .bartext`)) {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) continue;
      const out = Math.max(box.left - r.left, box.top - r.top, r.right - box.right, r.bottom - box.bottom);
      if (out > 0.5) found.push({id: gd.id, out: Math.round(out), text: t.textContent.slice(0, 60)});
      const scale = /scale\\(([\\d.]+)/.exec(t.getAttribute('transform') || '');
      if (scale && +scale[1] * parseFloat(getComputedStyle(t).fontSize) < 9)  // scaled down to fit
        found.push({id: gd.id, scale: +scale[1], text: t.textContent.slice(0, 60)});
    }
    // titles, legend entries, annotations and bar labels: clear of each other and of the ticks
    const boxes = sel => [...gd.querySelectorAll(sel)].filter(t => t.textContent.trim())
      .map(t => ({text: t.textContent.slice(0, 60), r: t.getBoundingClientRect()})).filter(b => b.r.width > 0);
    const words = boxes(`${TITLES}, .legend text, .annotation-text, .bartext`), ticks = boxes(TICKS);
    words.forEach((a, i) => words.slice(i + 1).concat(ticks).forEach(b => {
      if (overlap(a.r, b.r) > 0.5) found.push({id: gd.id, overlap: [a.text, b.text]});
    }));
    words.forEach((a, i) => words.slice(i + 1).forEach(b => {  // on one line, at least 3 px apart
      const high = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      const gap = Math.max(a.r.left, b.r.left) - Math.min(a.r.right, b.r.right);
      if (high > 0.5 && gap > -0.5 && gap < 3) found.push({id: gd.id, runTogether: [a.text, b.text]});
    }));
    // tick labels of one axis, drawn level, clear of each other
    for (const layer of gd.querySelectorAll(AXES.join(', '))) {
      const level = [...layer.querySelectorAll('text')]
        .filter(t => t.textContent.trim() && !/rotate\\((?!0[,)])/.test(t.getAttribute('transform') || ''))
        .map(t => ({text: t.textContent, r: t.getBoundingClientRect()}));
      level.forEach((a, i) => level.slice(i + 1).forEach(b => {
        if (overlap(a.r, b.r) > 0.5) found.push({id: gd.id, ticks: [a.text, b.text]});
      }));
    }
    // a category axis labels every category (plotly skips some where they do not fit)
    for (const key of Object.keys(gd._fullLayout).filter(k => /^[xy]axis\\d*$/.test(k))) {
      const ax = gd._fullLayout[key];
      if (ax.type === 'category' && ax.visible && ax.showticklabels && ax._vals.length < ax._categories.length)
        found.push({id: gd.id, axis: key, labelled: ax._vals.length, categories: ax._categories.length});
    }
    // a bar's label clear of the other bars
    for (const t of gd.querySelectorAll('.bartext')) {
      const r = t.getBoundingClientRect(), own = t.closest('.point');
      for (const bar of gd.querySelectorAll('.bars .point')) {
        if (bar === own) continue;
        const p = bar.querySelector('path');
        if (p && overlap(r, p.getBoundingClientRect()) > 0.5) found.push({id: gd.id, barLabel: t.textContent});
      }
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_no_text_is_cut_off_and_no_point_label_prints_over_another(browser, site, page_path, width):
    """On a phone and on a laptop, as the page opens, with every control at its first and
    then at its last position (and every run player at its last step): no text label
    beside a point is cut at the plot's edge, printed over another label or crossed by an
    arrow, and no text of a figure runs past its edges or is shrunk unreadably small."""
    page, problems, _ = open_page(browser, site, page_path, width=width)
    try:
        draw_all(page)
        players = draw_players(page)
        seen = [(page.evaluate(LABELS), page.evaluate(CUT))]
        for to_end in (False, True):
            for fig_id in figures(page):
                for i in range(len(controls(page, fig_id))):
                    if (at_end(page, fig_id, i) if to_end else control_values(page, fig_id)[i] == 0):
                        continue
                    frame = page.get_attribute(f"#{fig_id}", "data-frame")
                    move(page, fig_id, i, to_end=to_end)
                    page.wait_for_function(f"document.getElementById('{fig_id}').getAttribute('data-frame')"
                                           f" !== '{frame}'", timeout=10_000)
            if to_end:
                for pid in players:
                    step = page.get_attribute(f"#{pid}", "data-step")
                    page.locator(f"#{pid}-box button[data-step=last]").click()
                    page.wait_for_function(f"document.getElementById('{pid}').getAttribute('data-step') !== '{step}'",
                                           timeout=10_000)
            page.wait_for_timeout(300)
            seen.append((page.evaluate(LABELS), page.evaluate(CUT)))
        for labels, cut in seen:
            assert not labels["found"] and not cut, (labels["found"], cut)
        if page_path.split("/")[-1][:3] in ("05-", "06-"):  # their figures label points: the check saw them
            assert all(labels["checked"] >= 5 for labels, _ in seen)
        assert not problems, problems
    finally:
        page.close()


# Each figure's margins: those it sets itself, those plotly starts from (its own, else the
# template's, else plotly's 80 px), the right margin drawn (after automargin), and whether an
# axis stands on the right (overlaying, side right).
MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const L = gd._fullLayout, axes = Object.keys(L).filter(k => /^yaxis\\d*$/.test(k)).map(k => L[k]);
  return {id: gd.id, own: Object.keys(gd.layout.margin || {}), base: {l: L.margin.l, r: L.margin.r, b: L.margin.b},
          right: L._size.r, width: L.width, rightAxis: axes.some(a => a.side === 'right' && a.visible)};
})"""


@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_on_a_phone_a_figure_that_sets_no_margins_gets_the_course_s_not_plotly_s_80_px(browser, site, page_path):
    """At 390 px a figure that sets no margins (one drawn with show()) starts from the course's
    (left 60, right 20, bottom 60 px), as an explorer does: plotly's own 80 px each side left
    such a plot 182 of its 342 px. The right margin drawn is 20 px, or a little more where
    plotly grows it to fit the x axis's last tick label (27 px for '2000'), unless an axis
    stands on the right."""
    page, problems, _ = open_page(browser, site, page_path, width=390)
    try:
        draw_all(page)
        draw_players(page)
        margins = page.evaluate(MARGINS)
        assert margins and all(m["width"] > 300 for m in margins), margins
        course = {"l": 60, "r": 20, "b": 60}
        assert [m for m in margins if any(m["base"][k] != v for k, v in course.items() if k not in m["own"])] == []
        assert [m for m in margins if not m["rightAxis"] and m["right"] >= 40] == []
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_a_narrow_phone_screen_does_not_scroll_sideways_and_every_control_works(browser, site, page_path):
    page, problems, _ = open_page(browser, site, page_path, width=390)
    try:
        draw_all(page)
        page.wait_for_timeout(300)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{page_path} is {width} px wide at a 390 px viewport"
        for fig_id in figures(page):
            for i in range(len(controls(page, fig_id))):
                box = page.locator(f"#{fig_id}-box [data-scalelab-control]").nth(i).bounding_box()
                assert box and box["width"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 391, (
                    f"{fig_id}: control {i} is not fully on a 390 px screen: {box}")
            for i in range(len(controls(page, fig_id))):  # each moves the figure to another frame
                frame = page.get_attribute(f"#{fig_id}", "data-frame")
                move(page, fig_id, i, to_end=not at_end(page, fig_id, i))
                page.wait_for_function(
                    f"document.getElementById('{fig_id}').getAttribute('data-frame') !== '{frame}'", timeout=10_000)
                assert shown_data(page, fig_id) == expected_frame(page, fig_id, control_values(page, fig_id))
        for pid in draw_players(page):
            own = "[data-scalelab-player-control], button.scalelab-step, input[data-scalelab-step]"
            for control in page.locator(f"#{pid}-box").locator(own).all():
                box = control.bounding_box()
                assert box and box["width"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 391, (
                    f"{pid}: a control is not fully on a 390 px screen: {box}")
            step = page.get_attribute(f"#{pid}", "data-step")
            page.locator(f"#{pid}-box button[data-step=last]").click()
            page.wait_for_function(f"document.getElementById('{pid}').getAttribute('data-step') !== '{step}'",
                                   timeout=10_000)
            selects = page.locator(f"#{pid}-box select")
            for i in range(selects.count()):
                n, current = selects.nth(i).evaluate("s => [s.options.length, s.selectedIndex]")
                selects.nth(i).select_option(index=(current + 1) % n)
                page.wait_for_function(f"""(() => {{
                    const spec = JSON.parse(document.getElementById('{pid}-data').textContent);
                    const pos = [...document.querySelectorAll('#{pid}-box select')].map(c => +c.value);
                    let k = 0; pos.forEach((p, j) => {{ k = k * spec.shape[j] + p; }});
                    return document.getElementById('{pid}').getAttribute('data-variant') === String(spec.variants[k]);
                }})()""", timeout=10_000)
        assert not problems, problems
    finally:
        page.close()
