"""The built book, opened as a reader would, in headless Chromium.

Every page: no console error, no request to any host but 127.0.0.1, every figure drawn,
mathematics typeset. Every static slider: moving it changes its figure, and moving one
slider of a multi-slider figure keeps the others where they were (the figure shows the
precomputed frame for the combination of all positions).
"""

from __future__ import annotations

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


def open_page(browser, site: str, page_path: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    outside: list[str] = []

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
    page.goto(f"{site}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, problems, outside


def figures(page) -> list[str]:
    return page.eval_on_selector_all(".scalelab-figure", "els => els.map(e => e.id)")


def shown_data(page, fig_id: str) -> str:
    return page.evaluate(f"JSON.stringify(document.getElementById('{fig_id}').data.map(t => [t.x, t.y]))")


def slider_state(page, fig_id: str) -> list[int]:
    return page.evaluate(f"document.getElementById('{fig_id}').layout.sliders.map(s => s.active)")


def click_slider(page, fig_id: str, index: int, fraction: float) -> None:
    rail = page.locator(f"#{fig_id} .slider-group").nth(index).locator(".slider-rail-touch-rect")
    box = rail.bounding_box()
    assert box, f"slider {index} of {fig_id} has no rail on screen"
    page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)


def expected_frame(page, fig_id: str, positions: list[int]) -> str:
    """The precomputed frame the page should show for these slider positions."""
    return page.evaluate(
        """([id, pos]) => {
            const spec = JSON.parse(document.getElementById(id + '-data').textContent);
            let k = 0; pos.forEach((p, j) => { k = k * spec.shape[j] + p; });
            const gd = document.getElementById(id);
            return JSON.stringify(spec.frames[k].map((t, n) => Array.isArray(t)
                ? [spec.arrays[t[0]], spec.arrays[t[1]]] : [gd.data[n].x, spec.arrays[t]]));
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


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_offline_without_errors(browser, site, page_path):
    page, problems, outside = open_page(browser, site, page_path)
    try:
        for fig_id in figures(page):
            page.wait_for_selector(f"#{fig_id}.js-plotly-plot", timeout=15_000)
        if page.locator(".math").count():
            page.wait_for_selector(".MathJax, .MathJax_Display", timeout=15_000)
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
    finally:
        page.close()


PAGES_WITH_FIGURES = [p for p in PAGES if "scalelab-figure" in (HTML / p).read_text(encoding="utf-8")]


@pytest.mark.parametrize("page_path", PAGES_WITH_FIGURES)
def test_every_static_slider_changes_its_figure_and_keeps_the_others(browser, site, page_path):
    page, problems, outside = open_page(browser, site, page_path)
    try:
        moved = 0
        for fig_id in figures(page):
            page.wait_for_selector(f"#{fig_id}.js-plotly-plot", timeout=15_000)
            page.locator(f"#{fig_id}").scroll_into_view_if_needed()
            n_sliders = page.evaluate(f"(document.getElementById('{fig_id}').layout.sliders || []).length")
            for i in range(n_sliders):
                for fraction in (0.97, 0.03):  # to one end, then the other: always a change
                    before_data, before = shown_data(page, fig_id), slider_state(page, fig_id)
                    click_slider(page, fig_id, i, fraction)
                    page.wait_for_function(
                        f"JSON.stringify(document.getElementById('{fig_id}').layout.sliders.map(s => s.active))"
                        f" !== {json.dumps(json.dumps(before, separators=(',', ':')))}",
                        timeout=5_000,
                    )
                    after = slider_state(page, fig_id)
                    assert after[i] != before[i], f"{fig_id}: slider {i} did not move"
                    assert [a for j, a in enumerate(after) if j != i] == [
                        b for j, b in enumerate(before) if j != i
                    ], f"{fig_id}: moving slider {i} moved another one"
                    after_data = shown_data(page, fig_id)
                    assert after_data != before_data, f"{fig_id}: slider {i} did not change the figure"
                    assert after_data == expected_frame(page, fig_id, after), (
                        f"{fig_id}: figure does not show the frame for positions {after}"
                    )
                    moved += 1
        assert moved >= 2, f"{page_path}: no static slider was exercised"
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
    finally:
        page.close()
