"""A run player live in JupyterLab: run a notebook that makes one, step it with its
Forward button, switch a fault, and fork the run by dropping a message. The
FigureWidget changes in place (the same DOM node throughout)."""

from __future__ import annotations

import nbformat
import pytest

from scalelab.failures import payment_run

from .test_live_lab import TOKEN, _run_all_cells, _tail, jupyterlab_serving

pytestmark = pytest.mark.book

CELL = """from scalelab import play
from scalelab.failures import payment_run
player = play(payment_run, idempotency_keys={"off": False, "on": True}, drop={"nothing": (), "m2": (2,)})
player"""


@pytest.fixture
def player_lab(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "player.ipynb")
    with jupyterlab_serving(tmp_path, notebooks) as served:
        yield served


PLOT = "Array.from(document.querySelectorAll('.jp-OutputArea .js-plotly-plot')).find(d => d.data && d.data.length)"


def title(page) -> str:
    return page.evaluate(f"({PLOT}).layout.title.text")


def test_live_player_steps_switches_and_forks(player_lab, browser):
    base, log_path = player_lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/lab/tree/player.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook-cell", timeout=120_000)
        page.wait_for_function(
            "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle/.test(e.textContent))",
            timeout=120_000)
        _run_all_cells(page)
        page.wait_for_function(f"!!({PLOT})", timeout=240_000)
        page.evaluate(f"({PLOT}).dataset.marker = 'original'")
        assert title(page).endswith("step 1 of 6")
        page.locator(".jp-OutputArea button:text-is('forward')").click()
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step 2 of 6')", timeout=30_000)
        page.locator(".jp-OutputArea button:text-is('last')").click()
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step 6 of 6')", timeout=30_000)
        # the drop control: m2, the first reply -> 13 events, back at step 1
        page.locator(".jp-OutputArea .widget-dropdown select").nth(1).select_option(label="m2")
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step 1 of 13')", timeout=30_000)
        # fork: drop m1 as well (the first request), re-run
        page.locator(".jp-OutputArea .widget-dropdown select").nth(2).select_option(index=0)
        page.locator(".jp-OutputArea button:text-is('re-run with it dropped')").click()
        forked = len(payment_run(drop=(1, 2)).events)  # m1 and m2 (its retry) both dropped
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step 1 of {forked}')", timeout=30_000)
        page.locator(".jp-OutputArea button:text-is('last')").click()
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step {forked} of {forked}')", timeout=30_000)
        # the original is kept: switch back to it
        page.locator(".jp-OutputArea button:text-is('original')").click()
        page.wait_for_function(f"({PLOT}).layout.title.text.endsWith('step 1 of 13')", timeout=30_000)
        assert page.evaluate(f"({PLOT}).dataset.marker") == "original", "the figure was re-created"
        assert not [e for e in errors if "anywidget" in e], errors
    except Exception as err:
        raise AssertionError(f"{err}\npage errors: {errors[:5]}\nJupyterLab log (tail):\n{_tail(log_path)}") from err
    finally:
        page.close()
