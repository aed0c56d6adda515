"""The three-mode explorer: slider specs, the static grid, the live widget, the bundle."""

from __future__ import annotations

import json
import math
from pathlib import Path
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from scalelab import amdahl, choices, explore, show, slider
from scalelab.explorer import (
    BUNDLE_TRACE_TYPES, MAX_SLIDER_VALUES, MAX_STATIC_BYTES, MAX_STATIC_FRAMES, STATIC_ENV, Shown, Slider, registered,
)

from .conftest import stored_figure_specs


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


def test_static_controls_are_labelled_native_inputs_that_start_where_the_live_ones_do():
    ex = explore(two_param, a=slider(0, 2, 1, default=2, label="slope a", unit="m/s"), b=[0, 5, 10])
    html = ex.to_html()
    layout = static_data(ex)["figure"]["layout"]
    assert "sliders" not in layout  # no plotly SVG sliders
    inputs = re.findall(r'<input type="range" id="([^"]+)"[^>]*>', html)
    assert len(inputs) == 2
    for cid in inputs:
        assert f'<label for="{cid}">' in html and f'<output id="{cid}-value"' in html
    first = re.search(r'<input type="range" id="[^"]+-c0"[^>]*>', html).group(0)
    assert 'value="2"' in first and 'max="2"' in first and 'aria-valuetext="2 m/s"' in first
    assert ">slope a</label>" in html
    assert re.search(r'<input type="range" id="[^"]+-c1"[^>]*value="1"', html)  # b starts at 5, index 1


def test_a_few_uneven_choices_become_a_select():
    ex = explore(two_param, a=[1, 2, 4], b=[0, 5, 10])
    html = ex.to_html()
    assert html.count("<select") == 1 and '<option value="1" selected>2</option>' in html
    assert html.count('<input type="range"') == 1  # b: evenly spaced, a range input


def test_the_static_figure_carries_no_template_and_no_copy_of_a_frame():
    data = static_data(explore(two_param, a=(0, 2, 1), b=[0, 5, 10]))
    assert "template" not in data["figure"]["layout"]
    assert all(t["y"] == [] for t in data["figure"]["data"])
    assert {t["type"] for t in data["figure"]["data"]} <= set(BUNDLE_TRACE_TYPES)


def test_each_figure_has_a_text_alternative_with_its_key_numbers():
    ex = explore(two_param, a=(0, 2, 1, 1), b=[0, 5, 10], title="a = {a}", x_title="time", y_title="load")
    alt = re.search(r'<figcaption class="scalelab-alt"[^>]*aria-live="polite">(.*?)</figcaption>', ex.to_html()).group(1)
    assert alt.startswith("a = 1. Horizontal axis: time; vertical axis: load.")
    assert "line: from 5 at 0 to 6 at 1" in alt and "flat:" in alt


def test_curves_that_do_not_depend_on_a_slider_are_stored_once():
    ex = explore(two_param, a=(0, 1, 0.01), b=[0, 1])
    data = static_data(ex)
    assert len(data["arrays"]) < 101 * 2 * 2 + 1  # the "flat" curve has 2 versions, not 202


def test_static_figure_json_stays_within_the_budget_by_thinning_the_static_sliders():
    def heavy(a, b):
        x = np.linspace(0, 1, 400)
        return {"y": (x, np.sin(a * x + b))}

    ex = explore(heavy, a=(0, 10, 0.1, 5), b=(0, 3, 0.1), static_budget_bytes=200_000)
    assert len(ex.to_html().encode()) <= 200_000  # everything written counts, not an estimate
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
    assert first.count("</script>") == 1  # the data block only: the page script is served once


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
    assert ex in registered() or ex in explore.__globals__["registered"]()  # doctests may import a second copy


def test_show_wraps_plain_figures_and_rejects_other_things(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")
    bundle = show(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), {"title": {"text": "m"}}))._repr_mimebundle_()
    assert bundle["text/plain"] == "Figure 'm': 1 traces"
    assert '"frames":[]' in bundle["text/html"]
    with pytest.raises(ValueError, match="plotly.graph_objects.Figure"):
        show({"data": []})


def test_what_is_written_is_what_the_budget_counts():
    def dense(a):
        x = np.linspace(0, 1, 5000)
        return {"y": (x, np.sin(a * x))}

    ex = explore(dense, a=(0, 10, 0.5), static_budget_bytes=350_000)
    assert len(ex.to_html().encode()) <= 350_000
    assert ex.static_spec()["bytes"] == len(ex.to_html().encode())
    wide = explore(lambda v: {"y": ([0, 1], [v, v])}, v=(0, 19_999 / 2000, 0.0005), static_budget_bytes=350_000)
    assert len(wide.to_html().encode()) <= 350_000 and wide.static_spec()["thinned"] == ["v"]


def test_sizes_are_checked_before_any_work():
    with pytest.raises(ValueError, match="at most 20000 values"):
        slider(0, 1, 1e-12)
    with pytest.raises(ValueError, match="at most"):
        choices(list(range(MAX_SLIDER_VALUES + 1)))
    calls = []

    def counted(a, b):
        calls.append(1)
        return {"y": ([0, 1], [a, b])}

    ex = explore(counted, a=(0, 999), b=(0, 999))
    ex.static_spec()
    assert len(calls) <= MAX_STATIC_FRAMES + 10  # thinned before the model runs, not 10**6 calls
    with pytest.raises(ValueError, match="combinations"):
        explore(counted, a=(0, 999), b=(0, 999), c=(0, 9))


@pytest.mark.parametrize("spec", [(0, 1, 0.1, 2), (0, 1, 0.1, -0.5)])
def test_a_default_outside_the_range_is_an_error_not_snapped(spec):
    with pytest.raises(ValueError, match="default must be in"):
        explore(two_param, a=spec, b=[0])
    with pytest.raises(ValueError, match="default must be in"):
        choices([1, 2, 4], default=8)


@pytest.mark.parametrize("bad, message", [
    (lambda a: {"nan": ([0, 1], [np.nan, np.nan])}, "'nan' has no finite y"),
    (lambda a: {"inf": ([0, 1], [np.inf, np.nan]), "empty": ([], [])}, "'inf' has no finite y"),
    (lambda a: {"flat2d": (np.zeros((2, 2)), np.zeros((2, 2)))}, "'flat2d': x must be 1-D"),
    (lambda a: {"short": ([0, 1, 2], [1, 2])}, "'short': x and y must have the same length"),
    (lambda a: {"words": ([0, 1], ["a", "b"])}, "'words': y must be numbers"),
    (lambda a: {"heat": {"x": [0, 1], "y": [0, 1], "type": "heatmap"}}, "not in the book's plotly.js bundle"),
])
def test_bad_curves_are_refused_with_their_name(bad, message):
    with pytest.raises(ValueError, match=message):
        explore(bad, a=(0, 1))


def test_a_note_curve_may_be_empty_of_numbers_and_one_curve_may_be_all_nan():
    ex = explore(lambda a: {"Note: nothing at a = 0": ([0, 1], [np.nan, np.nan])}, a=(0, 1))
    assert ex.to_html()
    ex = explore(lambda a: {"limit": ([0, 1], [np.inf, np.inf]), "curve": ([0, 1], [a, a])}, a=(0, 1))
    assert ex.to_html()


def test_a_title_naming_a_missing_parameter_says_so():
    with pytest.raises(ValueError, match="names 'cores', which is not a slider"):
        explore(two_param, a=(0, 1), b=[0], title="{cores} cores")


def test_show_has_a_cap_and_a_bundle_check():
    with pytest.raises(ValueError, match="more than"):
        show(go.Figure(go.Scatter(x=np.arange(200_000), y=np.arange(200_000) * 0.5)))
    with pytest.raises(ValueError, match="bundle lacks"):
        show(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])))
    shown = show(go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), {"title": {"text": "bars"}}))
    assert "bars. curve: 1 at a, 2 at b." in shown.to_html()  # unnamed, as the page script says


def test_the_explorer_and_its_parts_check_their_own_arguments():
    ex = explore(two_param, a=(0, 1), b=[0], title="{a}")
    with pytest.raises(ValueError, match="params must be a mapping"):
        ex.title_at(0.5)
    for bad in (math.nan, 10**400, "3", True):
        with pytest.raises(ValueError, match="slider start must be a finite number"):
            slider(bad, 5)
        with pytest.raises(ValueError, match="height"):
            explore(two_param, a=(0, 1), b=[0], height=bad)
    with pytest.raises(ValueError, match="choices values must be finite numbers"):
        choices([1, "2"])
    with pytest.raises(ValueError, match="values"):
        Slider((0.1, math.nan))
    with pytest.raises(ValueError, match="figure must be"):
        Shown(3.0)
    with pytest.raises(ValueError, match="max_points"):
        ex.time_updates(max_points=10**9)
    with pytest.raises(ValueError, match="static_budget_bytes"):
        explore(two_param, a=(0, 1), b=[0], static_budget_bytes=math.nan)


def test_show_describes_numpy_data():
    """plotly >= 6 encodes numpy arrays as {"dtype", "bdata"}: the text alternative and the
    page's JSON must still carry the numbers (stored captions said "nothing to draw here")."""
    fig = go.Figure([go.Scatter(x=np.arange(5), y=np.arange(5) ** 2.0, name="squares"),
                     go.Bar(x=np.array(["a", "b"]), y=np.array([1, 2]), name="bars")],
                    {"title": {"text": "numpy"}})
    page = show(fig).to_html()
    assert "nothing to draw" not in page
    assert "squares: from 0 at 0 to 16 at 4" in page and "bars: 1 at a, 2 at b" in page
    assert "bdata" not in page


def test_the_text_alternative_says_numbers_as_the_page_script_does():
    """The page's text alternative (Python) and the page script's (``String(+v.toPrecision(3))``
    in explorer.js) must agree word for word: these are Chromium's answers."""
    from scalelab.explorer import _say

    js = {4.04e-5: "0.0000404", 1e-7: "1e-7", 0.03125: "0.0313", 1.125: "1.13", 1e9: "1000000000",
          1e21: "1e+21", -2.5e-8: "-2.5e-8", 666666.6666666666: "667000", 999.5: "1000", 0.0: "0", 7: "7",
          1 / 3: "0.333", "a": "a"}
    for value, said in js.items():
        assert _say(value) == said, value


def test_the_text_alternative_skips_points_without_an_x_and_describes_the_page_numbers():
    from scalelab.explorer import _page_alt

    spec = {"figure": {"data": [{"name": "marks", "x": [None, None], "y": [0, 1e9]},
                                {"x": [1, 2, 3, 4, 5], "y": [3.9999999, 4.0000001, 2, 1, 0.5]}],
                       "layout": {"title": {"text": "t"}, "xaxis": {"title": {"text": "n"}}}},
            "shape": [], "arrays": [], "frames": [], "titles": None}
    alt = _page_alt(json.dumps(spec))
    assert alt.startswith("t. Horizontal axis: n; vertical axis: y.")
    assert "marks: nothing to draw here." in alt
    # an unnamed trace is a "curve"; the highest is the first of equal numbers as the page holds them
    assert "curve: from 4 at 1 to 0.5 at 5; highest 4 at 2, lowest 0.5 at 5." in alt


def _alt_of(data, layout):
    from scalelab.explorer import _page_alt

    return _page_alt(json.dumps({"figure": {"data": data, "layout": layout},
                                 "shape": [], "arrays": [], "frames": [], "titles": None}))


def test_the_text_alternative_reads_values_through_tick_labels():
    """A bar chart whose ticks name the stacks (chapter 4's bytes on the wire) is read by
    those names, not by the numbers the bars stand at; an axis with no title but named ticks
    (chapter 5's process lanes) is described by its tick labels."""
    alt = _alt_of([{"type": "bar", "name": "data", "x": [0, 1], "y": [86.8, 88.6]},
                   {"name": "send", "x": [2, 5.5], "y": [2, 0]}],
                  {"xaxis": {"title": {"text": "protocol"}, "tickvals": [0, 1], "ticktext": ["TCP", "<b>UDP</b>"]},
                   "yaxis": {"tickvals": [2, 1, 0], "ticktext": ["process A", "process B", "process C"]}})
    assert alt.startswith("Horizontal axis: protocol; vertical axis: process A, process B, process C.")
    assert "data: 86.8 at TCP, 88.6 at UDP." in alt
    # a value between the named ticks is said as a number
    assert "send: process A at 2, process C at 5.5." in alt


def test_the_text_alternative_names_the_right_hand_axis_and_leaves_out_lanes():
    alt = _alt_of([{"name": "drops", "x": [0, 1], "y": [1, 2]},
                   {"name": "latency", "x": [0, 1], "y": [5, 50], "yaxis": "y2"},
                   {"x": [0, 1], "y": [3, 3], "showlegend": False}],
                  {"xaxis": {"title": {"text": "attack rate"}}, "yaxis": {"title": {"text": "dropped (%)"}},
                   "yaxis2": {"title": {"text": "latency (ms)"}, "overlaying": "y", "side": "right"}})
    assert alt == ("Horizontal axis: attack rate; vertical axis: dropped (%); right-hand axis: latency (ms). "
                   "drops: 1 at 0, 2 at 1. latency (right-hand axis): 5 at 0, 50 at 1.")


def test_the_text_alternative_names_each_curves_panel_in_a_figure_of_subplots():
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("delivered share", "latency (ms)"))
    fig.add_trace(go.Scatter(x=[0, 0.1], y=[1, 0.9], name="UDP"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0, 0.1], y=[30, 31], name="UDP"), row=1, col=2)
    fig.add_trace(go.Scatter(x=[0, 0.1], y=[35, 90], name="TCP", xaxis="x3", yaxis="y3"))  # no panel title
    fig.update_xaxes(title_text="loss rate")
    fig.update_layout(xaxis3={"domain": [0, 1], "anchor": "y3"}, yaxis3={"domain": [0, 0.2], "anchor": "x3"})
    plain = fig.to_plotly_json()
    alt = _alt_of(plain["data"], {k: v for k, v in plain["layout"].items() if k != "template"})
    assert alt.startswith("Horizontal axis: loss rate; vertical axis: as each panel's title says. ")
    assert "delivered share, UDP: 1 at 0, 0.9 at 0.1. latency (ms), UDP: 30 at 0, 31 at 0.1." in alt
    assert alt.endswith("panel 3, TCP: 35 at 0, 90 at 0.1.")


def test_the_page_script_colours_curves_with_the_course_colorway():
    """explorer.js's colorway (static book) is palette.COLORWAY (live mode), each colour
    3:1 or more against the light and the dark page."""
    import scalelab
    from scalelab import palette

    js = (Path(scalelab.__file__).parent / "static" / "explorer.js").read_text(encoding="utf-8")
    listed = re.search(r"var COLORWAY = \[([^\]]*)\]", js).group(1)
    assert tuple(re.findall(r'"(#[0-9a-f]{6})"', listed)) == palette.COLORWAY
    assert all(palette._contrast(c, bg) >= 3 for c in palette.COLORWAY for bg in palette.BACKGROUNDS)


def test_a_summary_says_what_a_figure_shows_in_place_of_its_curves_numbers():
    """A figure not read as y against x (a ring in x-y coordinates) is described by the
    model's own words at every frame: the page's first text and the page script's come
    from the same list."""
    from scalelab.explorer import _page_alt

    ex = explore(two_param, a=(0, 2, 1, 1), b=[1, 2], title="a = {a}",
                 summary=lambda a, b: f"a is {a} and b is {b}")
    page = ex.to_html()
    assert "a = 1. a is 1 and b is 1</figcaption>" in page
    data = ex.static_figure_json()
    spec = json.loads(data)
    assert spec["summaries"] == [f"a is {a} and b is {b}" for a in (0, 1, 2) for b in (1, 2)]
    assert _page_alt(data, 5) == "a = 2. a is 2 and b is 2"
    assert "summaries" not in json.loads(explore(two_param, a=(0, 2, 1), b=[1, 2]).static_figure_json())


def test_a_summary_must_be_a_function_that_says_something():
    with pytest.raises(ValueError, match="summary must be a function"):
        explore(two_param, a=(0, 2, 1), b=[1, 2], summary="the curves")
    with pytest.raises(ValueError, match=r"summary must return text .* got 3"):
        explore(two_param, a=(0, 2, 1), b=[1, 2], summary=lambda a, b: 3)
    for blank in ("", "   "):
        with pytest.raises(ValueError, match="summary must return text"):
            explore(two_param, a=(0, 2, 1), b=[1, 2], summary=lambda a, b, blank=blank: blank)
    # the Explorer class itself (public) refuses a summary that is not a function
    ex = explore(two_param, a=(0, 2, 1), b=[1, 2])
    with pytest.raises(ValueError, match="summary must be a function"):
        type(ex)(model=two_param, sliders=ex.sliders, summary="words")


def test_every_stored_figure_with_hidden_axes_says_what_it_shows_in_words():
    """A figure drawn in x-y coordinates with its axes hidden (chapter 7's rings) cannot be
    described by its curves' numbers: its page must carry the model's summary."""
    found = 0
    for path, spec in stored_figure_specs():
        layout = spec.get("figure", {}).get("layout", {})
        if any(isinstance(v, dict) and v.get("visible") is False
               for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))):
            found += 1
            assert spec.get("summaries"), f"{path.name}: {layout.get('title')}"
    assert found >= 2


def test_show_with_a_summary_says_it_in_place_of_the_curves_numbers():
    from scalelab.explorer import _page_alt

    fig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], name="lane")], {"title": {"text": "Lanes"}})
    page = show(fig, summary="a sends m1 to b.").to_html()
    assert "Lanes. a sends m1 to b.</figcaption>" in page and "lane:" not in page
    data = re.search(r'-data">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</")
    assert _page_alt(data) == "Lanes. a sends m1 to b."
    for bad in ("", "  ", 3.0, ["a"]):
        with pytest.raises(ValueError, match="summary must be text"):
            show(fig, summary=bad)


def test_the_text_alternative_says_a_band_from_its_base_to_its_end():
    """A bar drawn up from a base (chapter 2's model bands, 5-95% of runs) is said as the
    range it covers, not as its height."""
    alt = _alt_of([{"type": "bar", "name": "model p50, 5-95% of runs", "x": ["random(1) p50"], "y": [25.0],
                    "base": [31.0]}], {})
    assert alt == "model p50, 5-95% of runs: 31 to 56 at random(1) p50."
