"""The run players of the built book, in headless Chromium (uses the `site` fixture; it
builds nothing). Every player: drawn when scrolled to; every step button and the arrow,
Home and End keys step it, one plotly call per step, with the text alternative saying
the current event, the nodes' states and, at the end, the checker's verdict; every value
of every fault control switches to the precomputed run for the combination of all
controls. No test here measures speed: `make bench` does (bench_player_browser.py)."""

from __future__ import annotations

import pytest

from .conftest import HTML
from .test_browser import COUNT_CALLS, PAGES, open_page

pytestmark = pytest.mark.book

PAGES_WITH_PLAYERS = [p for p in PAGES if "scalelab-player-figure" in (HTML / p).read_text(encoding="utf-8")]


def players(page) -> list[str]:
    return page.eval_on_selector_all(".scalelab-player-figure", "els => els.map(e => e.id)")


def step_of(page, pid: str) -> int:
    return int(page.get_attribute(f"#{pid}", "data-step"))


def expected_run(page, pid: str) -> dict:
    """The run the page should show for the fault controls' current positions."""
    return page.evaluate(
        """id => {
            const spec = JSON.parse(document.getElementById(id + '-data').textContent);
            const pos = [...document.querySelectorAll('#' + id + '-box [data-scalelab-player-control]')].map(c => +c.value);
            let k = 0; pos.forEach((p, j) => { k = k * spec.shape[j] + p; });
            const run = spec.runs[spec.variants[k]];
            return {index: spec.variants[k], title: run.title, n: run.events.length,
                    violations: run.violations.map(v => v[0])};
        }""", pid)


def wait_step(page, pid: str, step: int) -> None:
    page.wait_for_function(f"document.getElementById('{pid}').getAttribute('data-step') === '{step}'", timeout=10_000)
    page.wait_for_timeout(30)


def click(page, pid: str, action: str) -> None:
    page.locator(f"#{pid}-box button[data-step={action}]").click()


@pytest.mark.parametrize("page_path", PAGES_WITH_PLAYERS)
def test_every_player_steps_and_switches_every_fault(browser, site, page_path):
    page, problems, outside = open_page(browser, site, page_path)
    try:
        page.evaluate(COUNT_CALLS)
        ids = players(page)
        assert ids
        for pid in ids:
            page.locator(f"#{pid}").scroll_into_view_if_needed()
            page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
            for action in ("first", "back", "play", "forward", "last"):
                assert page.locator(f"#{pid}-box button[data-step={action}]").count() == 1
            assert page.evaluate(f"document.querySelector('label[for=\"{pid}-step\"]').textContent") == "step"
            controls = page.locator(f"#{pid}-box [data-scalelab-player-control]")
            shape = page.evaluate(f"JSON.parse(document.getElementById('{pid}-data').textContent).shape")
            assert controls.count() == len(shape)
            # step through every event of the first run with the Forward button, one plotly call each
            click(page, pid, "first")
            wait_step(page, pid, 0)
            run = expected_run(page, pid)
            for k in range(1, run["n"]):
                page.evaluate("window.__calls = []")
                click(page, pid, "forward")
                wait_step(page, pid, k)
                assert page.evaluate("window.__calls") == ["react"], f"{pid}: step {k}"
                alt = page.inner_text(f"#{pid}-alt")
                assert alt.startswith(f"{run['title']}: step {k + 1} of {run['n']}. Event #{k} "), alt
            alt = page.inner_text(f"#{pid}-alt")
            verdict = "; ".join(run["violations"]) or "no invariant violated"
            assert alt.endswith(f"Checker: {verdict}."), alt
            # back, keys, first, last
            click(page, pid, "back")
            wait_step(page, pid, run["n"] - 2)
            page.locator(f"#{pid}-box button[data-step=forward]").focus()
            page.keyboard.press("Home")
            wait_step(page, pid, 0)
            page.keyboard.press("ArrowRight")
            wait_step(page, pid, 1)
            page.keyboard.press("ArrowLeft")
            wait_step(page, pid, 0)
            page.keyboard.press("End")
            wait_step(page, pid, run["n"] - 1)
            click(page, pid, "first")
            wait_step(page, pid, 0)
            # play runs forward on its own; pressing it again pauses
            click(page, pid, "play")
            page.wait_for_function(f"+document.getElementById('{pid}').getAttribute('data-step') >= 1", timeout=10_000)
            click(page, pid, "play")
            assert page.get_attribute(f"#{pid}-box button[data-step=play]", "aria-pressed") == "false"
            # every value of every fault control: the precomputed run for all positions
            for i, size in enumerate(shape):
                label = page.evaluate(f"document.querySelector('label[for=\"{pid}-c{i}\"]')?.textContent")
                assert label and label.strip(), f"{pid}: control {i} has no label"
                for value in [*range(1, size), 0]:
                    before = [int(v) for v in controls.evaluate_all("cs => cs.map(c => c.value)")]
                    controls.nth(i).select_option(index=value)
                    after = [int(v) for v in controls.evaluate_all("cs => cs.map(c => c.value)")]
                    assert after[i] == value and [a for j, a in enumerate(after) if j != i] == [
                        b for j, b in enumerate(before) if j != i]
                    want = expected_run(page, pid)
                    page.wait_for_function(
                        f"document.getElementById('{pid}').getAttribute('data-variant') === '{want['index']}'",
                        timeout=10_000)
                    page.wait_for_timeout(30)
                    assert page.inner_text(f"#{pid}-alt").startswith(want["title"] + ": step ")
                    assert step_of(page, pid) < want["n"]
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
    finally:
        page.close()
