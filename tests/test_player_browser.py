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


def wait_caption(page, pid: str) -> str:
    """The text alternative, once it describes the step and run the plot shows (it follows
    once the frame is painted, and once per burst of steps)."""
    page.wait_for_function(
        f"""(() => {{ const a = document.getElementById('{pid}-alt'), g = document.getElementById('{pid}');
            return a.getAttribute('data-step') === g.getAttribute('data-step')
                && a.getAttribute('data-variant') === g.getAttribute('data-variant'); }})()""", timeout=10_000)
    return page.inner_text(f"#{pid}-alt")


#: Counts the writes of every text alternative (an aria-live region: each write is read out).
COUNT_WRITES = """() => { window.__writes = {};
  document.querySelectorAll('figcaption.scalelab-alt').forEach(a => new MutationObserver(() => {
    window.__writes[a.id] = (window.__writes[a.id] || 0) + 1; }).observe(a, {childList: true, characterData: true, subtree: true}));
}"""


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
                alt = wait_caption(page, pid)
                assert alt.startswith(f"{run['title']}: step {k + 1} of {run['n']}. Event #{k} "), alt
            alt = wait_caption(page, pid)
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
            play = page.locator(f"#{pid}-box button[data-step=play]")
            assert play.inner_text() == "Play" and play.get_attribute("aria-pressed") is None, (
                "a toggle's name must not change with its state: Play/Pause without aria-pressed")
            stopped = step_of(page, pid)
            assert wait_caption(page, pid).startswith(f"{run['title']}: step {stopped + 1} of "), "not told where it stopped"
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
                    assert wait_caption(page, pid).startswith(want["title"] + ": step ")
                    assert step_of(page, pid) < want["n"]
        assert not outside, f"requests to other hosts: {outside}"
        assert not problems, problems
    finally:
        page.close()


def test_a_burst_of_steps_is_announced_at_most_twice_and_ends_true(browser, site):
    """Key repeat on a player: its text alternative (read out at every write) is written at
    most twice, and the last write describes the last step."""
    page, problems, _ = open_page(browser, site, PAGES_WITH_PLAYERS[0])
    try:
        pid = players(page)[0]
        page.locator(f"#{pid}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
        click(page, pid, "first")
        wait_caption(page, pid)
        page.wait_for_timeout(400)  # a quiet spell before the burst
        page.evaluate(COUNT_WRITES)
        n = min(8, expected_run(page, pid)["n"] - 1)
        page.locator(f"#{pid}-box button[data-step=forward]").focus()
        for _ in range(n):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(40)
        wait_step(page, pid, n)
        alt = wait_caption(page, pid)
        page.wait_for_timeout(400)
        writes = page.evaluate(f"window.__writes['{pid}-alt'] || 0")
        assert 1 <= writes <= 2, f"{n} steps 40 ms apart wrote the text alternative {writes} times"
        assert f": step {n + 1} of " in alt and page.inner_text(f"#{pid}-alt") == alt
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.parametrize("drawn_before_load", [False, True], ids=["scrolled-to", "drawn-before-load"])
def test_positions_the_browser_restores_are_followed_by_the_player(browser, site, drawn_before_load):
    """Back to a page whose player was moved to a longer run's last step: the browser restores
    the fault control and the step slider (after the page script ran, within the slider's max);
    the step shown and announced, the plot and the text alternative follow them, whether the
    player is drawn after that or was drawn before the page loaded (MathJax held back)."""
    path = next(p for p in PAGES_WITH_PLAYERS if "05-" in p)
    page, problems, _ = open_page(browser, site, path)
    try:
        best = None
        for pid in players(page):
            sizes = page.evaluate(f"""() => {{ const s = JSON.parse(document.getElementById('{pid}-data').textContent);
                return [s.shape, s.variants.map(v => s.runs[v].events.length)]; }}""")
            shape, lengths = sizes
            if max(lengths) > lengths[0]:  # the default is combination 0
                k, positions = lengths.index(max(lengths)), []
                for size in reversed(shape):  # row-major, as the page counts
                    positions.insert(0, k % size)
                    k //= size
                best = (pid, positions, max(lengths))
                break
        assert best, "no player with a run longer than its default"
        pid, positions, n = best
        page.locator(f"#{pid}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
        controls = page.locator(f"#{pid}-box [data-scalelab-player-control]")
        for j, position in enumerate(positions):
            controls.nth(j).select_option(index=position)
        want = expected_run(page, pid)
        assert want["n"] == n
        click(page, pid, "last")
        wait_step(page, pid, n - 1)
        page.goto(f"{site}/notebooks/04-networks.html", wait_until="load")
        if drawn_before_load:
            # MathJax held back: the page cannot finish loading (when the browser restores the
            # controls) until the player, back in view, has been drawn.
            held = []
            page.route("**/tex-chtml.js*", lambda r: held.append(r))
            page.go_back(wait_until="commit")
            page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
            assert page.evaluate("document.readyState") != "complete", "the page loaded before the player was drawn"
            page.wait_for_function("() => true")  # (let the held request arrive)
            for r in held:
                r.continue_()
            page.unroute("**/tex-chtml.js*")
            page.wait_for_load_state("load")
        else:
            page.go_back(wait_until="load")
            page.locator(f"#{pid}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
        assert [int(v) for v in controls.evaluate_all("cs => cs.map(c => c.value)")] == positions
        wait_step(page, pid, n - 1)
        assert page.get_attribute(f"#{pid}", "data-variant") == str(want["index"]), "the plot shows another run"
        shown = page.inner_text(f"#{pid}-step-value")
        assert shown == f"{n} of {n}" == page.get_attribute(f"#{pid}-step", "aria-valuetext")
        assert page.evaluate(f"document.getElementById('{pid}-step').max") == str(n - 1)
        assert wait_caption(page, pid).startswith(f"{want['title']}: step {n} of {n}.")
        assert not problems, problems
    finally:
        page.close()


def test_a_playing_run_is_not_read_out_step_by_step_and_keys_with_modifiers_stay_the_browsers(browser, site):
    """While a run plays (a step every 600 ms), its text alternative (aria-live) is not written;
    once, where it stops. Ctrl+End, Ctrl+Home and Alt+Left are the browser's, not the player's."""
    page, problems, _ = open_page(browser, site, PAGES_WITH_PLAYERS[0])
    try:
        pid = next(p for p in players(page) if expected_run(page, p)["n"] >= 6)
        page.locator(f"#{pid}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{pid}.js-plotly-plot .main-svg", timeout=30_000)
        click(page, pid, "first")
        wait_caption(page, pid)
        page.wait_for_timeout(400)
        page.evaluate(COUNT_WRITES)
        click(page, pid, "play")
        page.wait_for_function(f"+document.getElementById('{pid}').getAttribute('data-step') >= 3", timeout=10_000)
        assert page.evaluate(f"window.__writes['{pid}-alt'] || 0") == 0, "the text alternative was written while playing"
        click(page, pid, "play")  # pause
        stopped = step_of(page, pid)
        assert f": step {stopped + 1} of " in wait_caption(page, pid)
        page.wait_for_timeout(400)
        assert page.evaluate(f"window.__writes['{pid}-alt'] || 0") == 1, "not written once where it stopped"
        page.locator(f"#{pid}-box button[data-step=forward]").focus()
        for keys in ("Control+End", "Control+Home", "Alt+ArrowLeft", "Shift+ArrowRight"):
            page.evaluate("window.__prevented = null; document.addEventListener('keydown', "
                          "e => { window.__prevented = e.defaultPrevented; }, {once: true})")
            if keys == "Alt+ArrowLeft":  # dispatched, so that the test page itself does not go back
                page.evaluate("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', "
                              "{key: 'ArrowLeft', altKey: true, bubbles: true, cancelable: true}))")
            else:
                page.keyboard.press(keys)
            page.wait_for_timeout(100)
            assert step_of(page, pid) == stopped, f"{keys} stepped the player"
            assert page.evaluate("window.__prevented") is False, f"{keys} was taken from the browser"
        assert not problems, problems
    finally:
        page.close()
