"""Live mode, as a reader on Binder would use it: JupyterLab, run the chapter, move a slider.

Starts JupyterLab on 127.0.0.1 (a free port, a token, a scratch copy of chapter 3),
runs every cell from the menu in headless Chromium, then moves the first ipywidgets
slider with the keyboard. The plotly FigureWidget under it must change its data and
title in place: the same DOM node before and after (no re-created figure).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import CHROMIUM_ARGS, ROOT, chromium_path

pytestmark = pytest.mark.book

TOKEN = "scalelab-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    shutil.copy(ROOT / "notebooks" / "03-scaling-up.ipynb", tmp_path)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("JupyterLab did not start within 120 s")
                time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _assert_myst_markup_is_rendered(page) -> None:
    """jupyterlab-myst renders the chapter's MyST markup as the book does: the admonitions
    and glossary terms appear as such, not as their source text."""
    # jupyterlab-myst renders a cell into a ".myst" node (the classes of JupyterLab's own
    # markdown renderer are then absent), so accept either renderer's output node.
    markdown = (".jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .jp-RenderedMySTMarkdown, "
                ".jp-MarkdownCell .jp-MarkdownOutput, .jp-MarkdownCell .myst")
    page.wait_for_function(f"document.querySelectorAll('{markdown}').length > 5", timeout=60_000)
    text = page.evaluate(f"Array.from(document.querySelectorAll('{markdown}')).map(e => e.innerText).join('\\n')")
    assert ":::{admonition}" not in text and "{term}`" not in text, "MyST markup shows as raw text"
    assert page.evaluate("""Array.from(document.querySelectorAll('.jp-MarkdownCell aside, .jp-MarkdownCell .admonition'))
        .some(e => /Checking the numbers/.test(e.innerText))"""), "no rendered 'Checking the numbers' admonition"
    assert "scale out" in text, "the glossary term's text is missing"


def test_ipywidgets_sliders_update_the_figure_in_place(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{lab}/lab/tree/03-scaling-up.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-cell", timeout=60_000)
        page.wait_for_function(  # the kernel has started: the status bar says "... | Idle"
            "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle/.test(e.textContent))",
            timeout=120_000,
        )
        page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=30_000)
        page.click("text=Run All Cells", timeout=30_000)
        first_plot = "Array.from(document.querySelectorAll('.jp-OutputArea .js-plotly-plot')).find(d => d.data && d.data.length)"
        page.wait_for_function(f"!!({first_plot})", timeout=240_000)
        # Let every cell finish (the chapter's measurement keeps the kernel busy for a while),
        # so the slider's change is not queued behind it.
        page.wait_for_function(
            "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle/.test(e.textContent))",
            timeout=300_000,
        )
        page.evaluate(f"({first_plot}).dataset.marker = 'original'")
        before = page.evaluate(f"JSON.stringify(({first_plot}).data[0].y)")
        handle = page.locator(".widget-slider [role=slider], .widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        # Ten steps of 0.01 from s = 0.05: the kernel recomputes and the same figure redraws.
        page.wait_for_function(f"({first_plot}).layout.title.text.endsWith('s = 0.15')", timeout=30_000)
        assert page.evaluate(f"JSON.stringify(({first_plot}).data[0].y)") != before
        assert page.evaluate(f"({first_plot}).dataset.marker") == "original", "the figure was re-created"
        assert not [e for e in errors if "anywidget" in e], errors
        _assert_myst_markup_is_rendered(page)
    except Exception:
        page.screenshot(path=str(ROOT / "_build" / "live-lab-failure.png"))
        raise
    finally:
        page.close()
