"""The built book: complete, offline, light, and free of widget state.

`make test` builds the book with warnings as errors first (`make book`), so a page that
fails to execute or a broken reference has already failed the run; these tests check
what the build produced.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import FIGURE_DATA, HTML

pytestmark = pytest.mark.book

PAGES = sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))
CHAPTERS = [p for p in PAGES if p.parent.name == "notebooks"]
ASSET = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"')


BUNDLE = HTML / "_static" / "scalelab" / "plotly-basic.min.js"
BUNDLE_TRACE_TYPES = {"scatter", "bar", "pie"}  # what npm's plotly.js-basic-dist-min has


def test_the_basic_plotly_bundle_is_served_at_the_version_plotly_py_targets():
    from plotly.offline import get_plotlyjs_version

    head = BUNDLE.read_text(encoding="utf-8")[:400]
    version = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", head).group(1)
    assert version.split(".")[:2] == get_plotlyjs_version().split(".")[:2]
    assert 1_000_000 < BUNDLE.stat().st_size < 1_500_000  # not the 4.8 MB full bundle
    assert not (HTML / "_static" / "scalelab" / "plotly.min.js").exists()


def test_plotly_and_the_page_script_are_served_once_to_pages_with_figures_only():
    for page in PAGES:
        html = page.read_text(encoding="utf-8")
        has_figures = "scalelab-explorer" in html
        for asset in ("_static/scalelab/plotly-basic.min.js", "_static/scalelab/explorer.js",
                      "_static/scalelab/explorer.css"):
            assert html.count(asset) == (1 if has_figures else 0), f"{page.name}: {asset}"
        assert len(html) < 2_000_000, f"{page.name} is {len(html)} bytes: is plotly.js inlined?"
        assert "Plotly.newPlot" not in html, f"{page.name}: page script inlined"


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_uses_only_trace_types_the_bundle_has_and_no_template(page):
    html = page.read_text(encoding="utf-8")
    for blob in FIGURE_DATA.findall(html):
        spec = json.loads(blob.replace("<\\/", "</"))
        if "figure" not in spec:  # a run player: its page script draws the traces (checked below)
            assert "runs" in spec, f"{page.name}: a figure's data holds neither a figure nor runs"
            continue
        figure = spec["figure"]
        kinds = {t.get("type", "scatter") for t in figure["data"]}
        assert kinds <= BUNDLE_TRACE_TYPES, f"{page.name}: trace types {kinds - BUNDLE_TRACE_TYPES} not in the bundle"
        assert "template" not in figure["layout"], f"{page.name}: a figure carries its own template"
        assert "sliders" not in figure["layout"], f"{page.name}: a figure still has plotly SVG sliders"


def test_mathjax_is_served_from_the_build():
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    chapter = (HTML / "notebooks" / "03-scaling-up.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in chapter


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_every_script_style_and_image_comes_from_the_build(page):
    html = page.read_text(encoding="utf-8")
    outside = [url for url in ASSET.findall(html) if re.match(r"(https?:)?//", url)]
    # <link rel="canonical"> and friends are not loaded; only stylesheets, icons, scripts and images are.
    loaded = [u for u in outside if not re.search(rf'<link rel="(canonical|next|prev)"[^>]+href="{re.escape(u)}"', html)]
    assert not loaded, f"{page.name} loads from other hosts: {loaded}"


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.name)
def test_chapter_figures_are_static_and_small(page):
    html = page.read_text(encoding="utf-8")
    blobs = FIGURE_DATA.findall(html)
    assert blobs, f"{page.name} has no interactive figure"
    assert max(len(b) for b in blobs) <= 1_000_000
    assert "application/vnd.jupyter.widget-state+json" not in html, "widget state leaked into the page"


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.name)
def test_chapters_have_launch_and_download_buttons(page):
    html = page.read_text(encoding="utf-8")
    assert "mybinder.org/v2/gh/" in html and "urlpath=lab" in html, "no Binder (JupyterLab) launch button"
    assert f"_sources/notebooks/{page.stem}.ipynb" in html, "no notebook download button"


def test_the_run_players_page_script_draws_only_trace_types_the_bundle_has():
    script = HTML / "_static" / "scalelab" / "player.js"
    kinds = set(re.findall(r'\btype:\s*"(\w+)"', script.read_text(encoding="utf-8")))
    assert kinds and kinds <= BUNDLE_TRACE_TYPES, f"player.js draws {kinds - BUNDLE_TRACE_TYPES}"
