"""The built book: complete, offline, light, and free of widget state.

`make test` builds the book with warnings as errors first (`make book`), so a page that
fails to execute or a broken reference has already failed the run; these tests check
what the build produced.
"""

from __future__ import annotations

import re

import pytest

from .conftest import HTML

pytestmark = pytest.mark.book

PAGES = sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))
CHAPTERS = [p for p in PAGES if p.parent.name == "notebooks"]
ASSET = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"')
FIGURE_DATA = re.compile(r'<script type="application/json" id="scalelab-[0-9a-f]{12}-data">(.*?)</script>', re.S)


def test_plotly_js_is_served_once_from_the_build():
    bundle = HTML / "_static" / "scalelab" / "plotly.min.js"
    assert bundle.stat().st_size > 1_000_000
    for page in PAGES:
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="Refresh"' in html:  # index.html only redirects to the first page
            continue
        assert "_static/scalelab/plotly.min.js" in html, page
        assert len(html) < 2_000_000, f"{page.name} is {len(html)} bytes: is plotly.js inlined?"


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
