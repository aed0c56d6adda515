"""Live mode, as a reader on Binder would use it: JupyterLab, run the chapter, move a slider.

Starts JupyterLab on 127.0.0.1 (a free port, a token, a scratch copy of chapter 3),
runs every cell from the menu in headless Chromium, then moves the first ipywidgets
slider with the keyboard. The plotly FigureWidget under it must change its data and
title in place: the same DOM node before and after (no re-created figure).
"""

from __future__ import annotations

import contextlib
import os
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


@contextlib.contextmanager
def jupyterlab_serving(tmp_path, notebooks):
    """JupyterLab on a free port serving ``notebooks``, isolated from the machine's own
    Jupyter state; yields (base URL, server log path) and stops the server afterwards.

    A reader's (or an earlier test run's) ~/.jupyter holds saved workspaces, which reopen
    old documents and layouts, and user settings; neither may change what a test sees,
    so the config, settings, workspace and runtime directories are fresh for each run.
    The server's log is kept for the failure message.
    """
    env = dict(os.environ)
    env.pop("SCALELAB_STATIC", None)  # live mode: the book build's static switch must not leak in
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("JUPYTER_RUNTIME_DIR", "runtime")]:
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    port = free_port()
    log_path = tmp_path / "lab.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={notebooks}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
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
                    pytest.fail("JupyterLab did not start within 120 s:\n" + _tail(log_path))
                time.sleep(1)
        yield base, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def lab(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "03-scaling-up.ipynb", notebooks)
    with jupyterlab_serving(tmp_path, notebooks) as served:
        yield served


def _tail(path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


#: What the page looks like, for a failure message: the kernel status, how many code
#: cells have run or are running, plotly figures, and any error shown in an output.
_STATE_JS = """() => ({
    status: [...document.querySelectorAll('.jp-StatusBar-TextItem')].map(e => e.textContent).join(' / '),
    prompts: [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim()).slice(0, 12),
    plots: document.querySelectorAll('.jp-OutputArea .js-plotly-plot').length,
    widgets: document.querySelectorAll('.jp-OutputArea .widget-slider').length,
    errors: [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')].map(e => e.innerText.slice(0, 300)),
    dialogs: [...document.querySelectorAll('.jp-Dialog')].map(e => e.innerText.slice(0, 200)),
})"""


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


def _run_all_cells(page) -> None:
    """Run every cell from the menu, as a reader would; once more if nothing started
    (a click that lands while JupyterLab is still laying out the menu bar is lost)."""
    started = "[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))"
    for attempt in range(2):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=30_000)
        page.click("text=Run All Cells", timeout=30_000)
        try:
            page.wait_for_function(started, timeout=60_000)
            return
        except Exception:
            if attempt:
                raise
            page.keyboard.press("Escape")


def test_ipywidgets_sliders_update_the_figure_in_place(lab, browser):
    base, log_path = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/lab/tree/03-scaling-up.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-cell", timeout=60_000)
        page.wait_for_function(  # the kernel has started: the status bar says "... | Idle"
            "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle/.test(e.textContent))",
            timeout=120_000,
        )
        _run_all_cells(page)
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
    except Exception as err:
        try:
            (ROOT / "_build").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "_build" / "live-lab-failure.png"))
            state = page.evaluate(_STATE_JS)
        except Exception as inner:  # the page itself may be gone
            state = f"(page state unavailable: {inner})"
        raise AssertionError(
            f"{err}\npage state: {state}\npage errors: {errors[:5]}\nJupyterLab log (tail):\n{_tail(log_path)}"
        ) from err
    finally:
        page.close()
