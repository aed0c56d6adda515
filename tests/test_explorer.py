"""The three-mode explorer: slider specs, the static grid, the live widget, the bundle."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from scalelab import amdahl, choices, explore, show, slider
from scalelab.explorer import MAX_STATIC_BYTES, STATIC_ENV, registered


def two_param(a, b):
    x = np.linspace(0, 1, 11)
    return {"line": (x, a * x + b), "flat": (x, np.full_like(x, b))}


def static_data(ex) -> dict:
    html = ex.to_html()
    blob = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def frame(data: dict, positions: list[int]) -> list[list[float]]:
    k = 0
    for p, n in zip(positions, data["shape"]):
        k = k * n + p
    out = []
    for t in data["frames"][k]:
        out.append(data["arrays"][t[1]] if isinstance(t, list) else data["arrays"][t])
    return out


def test_slider_specs_in_every_accepted_form():
    assert slider(1, 3).values == (1, 2, 3)
    assert slider(0, 0.3, 0.1).values == (0.0, 0.1, 0.2, 0.3)
    ex = explore(two_param, a=(0, 2, 1, 2), b=[0, 5, 10], title="t")
    assert ex.sliders[0].values == (0, 1, 2) and ex.sliders[0].start == 2
    assert ex.sliders[1].values == (0, 5, 10) and ex.sliders[1].start == 5  # middle by default
    assert choices([1, 2, 4], default=4, label="cores").text == "cores"


@pytest.mark.parametrize("spec", ["fast", (1,), (0, 1, 0), (2, 1, 1), (0, float("inf"), 1)])
def test_bad_slider_specs_raise_value_error(spec):
    with pytest.raises(ValueError):
        explore(two_param, a=spec, b=[1])


def test_explore_needs_a_slider_and_a_sane_model():
    with pytest.raises(ValueError, match="at least one slider"):
        explore(two_param)
    with pytest.raises(ValueError, match="dict of curves"):
        explore(lambda a: [1, 2], a=(0, 1))


def test_a_model_whose_curves_change_with_the_parameters_is_rejected():
    def shifty(a):
        return {f"curve {a}": ([0, 1], [a, a])}

    with pytest.raises(ValueError, match="same curves"):
        explore(shifty, a=(0, 2)).static_spec()


def test_every_combination_of_two_sliders_is_in_the_static_grid():
    ex = explore(two_param, a=(0, 2, 1), b=[0, 5, 10])
    data = static_data(ex)
    assert data["shape"] == [3, 3]
    for i, a in enumerate((0, 1, 2)):
        for j, b in enumerate((0, 5, 10)):
            line, flat = frame(data, [i, j])
            np.testing.assert_allclose(line, a * np.linspace(0, 1, 11) + b, rtol=1e-5)
            np.testing.assert_allclose(flat, b)


def test_static_sliders_start_where_the_live_ones_do_and_use_no_python():
    ex = explore(two_param, a=(0, 2, 1, 2), b=[0, 5, 10])
    layout = static_data(ex)["figure"]["layout"]
    assert [s["active"] for s in layout["sliders"]] == [2, 1]
    assert all(step["method"] == "skip" for s in layout["sliders"] for step in s["steps"])


def test_curves_that_do_not_depend_on_a_slider_are_stored_once():
    ex = explore(two_param, a=(0, 1, 0.01), b=[0, 1])
    data = static_data(ex)
    assert len(data["arrays"]) < 101 * 2 * 2 + 1  # the "flat" curve has 2 versions, not 202


def test_static_figure_json_stays_within_the_budget_by_thinning_the_static_sliders():
    def heavy(a, b):
        x = np.linspace(0, 1, 400)
        return {"y": (x, np.sin(a * x + b))}

    ex = explore(heavy, a=(0, 10, 0.1, 5), b=(0, 3, 0.1), static_budget_bytes=200_000)
    assert len(ex.static_figure_json()) <= 200_000
    spec = ex.static_spec()
    assert spec["thinned"], "this grid cannot fit without thinning"
    static_a = spec["sliders"][0]
    assert 5 in static_a.values and static_a.values[0] == 0 and static_a.values[-1] == 10
    assert len(ex.sliders[0].values) == 101  # the live slider keeps every value


def test_budget_is_capped_at_one_megabyte():
    with pytest.raises(ValueError, match="static_budget_bytes"):
        explore(two_param, a=(0, 1), b=[0], static_budget_bytes=MAX_STATIC_BYTES + 1)


def test_html_is_deterministic_self_contained_and_loads_nothing():
    first = explore(amdahl.speedup_curves, serial_fraction=(0, 0.5, 0.05, 0.05)).to_html()
    second = explore(amdahl.speedup_curves, serial_fraction=(0, 0.5, 0.05, 0.05)).to_html()
    assert first == second
    assert "<script src" not in first and "cdn" not in first.lower()
    assert "https://" not in first
    assert first.count("</script>") == 2  # the data block and the drawing script, nothing else


def test_titles_follow_the_sliders_in_the_static_figure():
    ex = explore(two_param, a=(0, 1), b=[0, 5], title="a={a}, b={b}")
    data = static_data(ex)
    assert data["titles"] == ["a=0, b=0", "a=0, b=5", "a=1, b=0", "a=1, b=5"]


def test_live_widget_updates_the_same_figure_in_place():
    ex = explore(two_param, a=(0, 2, 1, 0), b=[0, 5, 10], title="a={a}")
    box = ex.widget()
    fig = ex._figure_widget
    sliders = box.children[:2]
    sliders[0].value = 2
    assert ex._figure_widget is fig  # never re-created
    np.testing.assert_allclose(fig.data[0].y, 2 * np.linspace(0, 1, 11) + 5)
    assert fig.layout.title.text == "a=2"
    sliders[1].value = 10  # the other slider keeps a = 2
    np.testing.assert_allclose(fig.data[0].y, 2 * np.linspace(0, 1, 11) + 10)


def test_live_sliders_match_the_spec():
    ex = explore(amdahl.efficiency_curves, serial_fraction=(0, 0.5, 0.01, 0.05), cores=[1, 2, 4, 8])
    a, b = ex.widget().children[:2]
    assert (a.min, a.max, a.step, a.value) == (0, 0.5, 0.01, 0.05)
    assert [v for _, v in b.options] == [1, 2, 4, 8]  # uneven steps: a selection slider


def test_the_bundle_has_a_widget_only_with_a_kernel_behind_it(monkeypatch):
    ex = explore(two_param, a=(0, 1), b=[0])
    monkeypatch.setenv(STATIC_ENV, "1")
    static = ex._repr_mimebundle_()
    assert set(static) == {"text/plain", "text/html"}
    monkeypatch.delenv(STATIC_ENV)
    live = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live
    assert live["text/html"] == static["text/html"]


def test_text_summary_is_stable_and_informative():
    ex = explore(two_param, a=(0, 2, 1), b=[0, 5, 10], title="demo")
    assert str(ex).startswith("Explorer 'demo': a 0..2 (3 values, start 1); b 0..10 (3 values, start 5); static grid 9 frames")


def test_time_updates_covers_the_grid_and_returns_milliseconds():
    ex = explore(two_param, a=(0, 2, 1), b=[0, 5, 10])
    times = ex.time_updates()
    assert len(times) >= 100 and len(times) % 9 == 0 and np.all(times > 0)  # the 9-point grid, cycled
    assert ex in registered()


def test_show_wraps_plain_figures_and_rejects_other_things(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    bundle = show(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), {"title": {"text": "m"}}))._repr_mimebundle_()
    assert bundle["text/plain"] == "Figure 'm': 1 traces"
    assert '"frames":[]' in bundle["text/html"]
    with pytest.raises(ValueError, match="plotly.graph_objects.Figure"):
        show({"data": []})
