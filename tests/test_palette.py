"""The course's colours (scalelab.palette) stand out from the page in light and dark mode
(WCAG 2.1, 1.4.11: 3:1 for curves and markers; 1.4.3: 4.5:1 for white text on a marker),
and every colour the package draws with is one of them or passes as well."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from _plotly_utils.basevalidators import ColorValidator

from scalelab import palette
from scalelab.palette import BACKGROUNDS, COLORWAY, GUIDE, INK, _contrast, _relative_luminance

from .conftest import stored_figure_specs

SRC = Path(palette.__file__).parent
NAMED = ("BLUE", "RED", "TEAL", "ORANGE", "PINK", "GREEN", "PURPLE", "BROWN", "GREY", "OLIVE")
PALETTE = {name: getattr(palette, name) for name in (*NAMED, "GUIDE", "INK")}
HEX = re.compile(r"#[0-9a-fA-F]{6}")
#: The named colours the sources use, with their CSS values; a name not here fails the scan
#: until it is given its value (plotly accepts all of CSS's, but we must know the value to judge it).
CSS_VALUES = {"white": "#ffffff", "black": "#000000", "grey": "#808080", "gray": "#808080"}
CSS_NAMES = set(ColorValidator.named_colors)


def _rrggbb(colour: str) -> str | None:
    """``#rrggbb`` for a hex literal (``#rgb`` widened) or a known CSS name, else None."""
    if re.fullmatch(r"#[0-9a-fA-F]{3}", colour):
        return "#" + "".join(c * 2 for c in colour[1:]).lower()
    if HEX.fullmatch(colour):
        return colour.lower()
    return CSS_VALUES.get(colour.lower())


def _passes_both(colour: str) -> bool:
    return all(_contrast(colour, bg) >= 3.0 for bg in BACKGROUNDS)


# --- the palette itself ------------------------------------------------------------------

@pytest.mark.parametrize("name", PALETTE)
def test_every_palette_colour_has_3_to_1_against_the_light_and_the_dark_background(name):
    for bg in BACKGROUNDS:
        assert _contrast(PALETTE[name], bg) >= 3.0, (name, bg, _contrast(PALETTE[name], bg))


@pytest.mark.parametrize("colour", COLORWAY)
def test_a_letter_on_any_colorway_colour_has_4_5_to_1(colour):
    letter = CSS_VALUES[palette._letter_on(colour)]
    assert _contrast(letter, colour) >= 4.5
    if _contrast("#ffffff", colour) >= 4.5:
        assert letter == "#ffffff"  # white where white reads


def test_the_ring_diamonds_letters_are_written_in_the_colour_that_reads_on_them():
    # hashing.ring_picture and placement.replica_picture write each node's letter on a
    # diamond of its node's colour.
    from scalelab.hashing import RING_COLORS, ring_picture
    from scalelab.placement import replica_picture

    assert set(RING_COLORS) <= set(COLORWAY)
    ring, walk = ring_picture(6, 1), replica_picture(6, 1, 3)
    for i, name in enumerate("ABCDEF"):
        for trace in (ring[f"{name}: virtual nodes"], walk[f"node {name}"]):
            letter = CSS_VALUES[trace["textfont"]["color"]]
            assert _contrast(letter, trace["marker"]["color"]) >= 4.5, name


def test_red_and_orange_stay_apart_in_lightness():
    # Deuteranopes tell red from orange by lightness alone: orange is kept well lighter.
    assert _relative_luminance(palette.ORANGE) > 1.5 * _relative_luminance(palette.RED)


def test_markers_drawn_on_bands_and_lanes_stand_out_from_them():
    """1.4.11 holds against what lies beside a mark, not only the page: the election
    timeline's markers sit on the role bands, the clock diagram's events on the lanes."""
    from scalelab import consensus

    curves = consensus.election_timeline_curves(1, 150)
    bands = [style["color"] for style in consensus.ROLE_STYLE.values()]
    for name in ("stands for election", "elected leader"):
        marker = curves[name]["marker"]
        fill, edge = CSS_VALUES.get(marker["color"], marker["color"]), marker["line"]["color"]
        assert all(_contrast(fill, band) >= 3 for band in bands), name  # seen on a band by its fill
        assert all(_contrast(edge, bg) >= 3 for bg in BACKGROUNDS), name  # and on the page by its edge
    from scalelab import clocks

    fig = clocks.spacetime_figure(clocks.EXAMPLE_EXCHANGE).figure
    lanes = {t.line.color for t in fig.data if t.mode == "lines"}
    for t in fig.data:
        if t.mode == "markers+text":
            ring = CSS_VALUES.get(t.marker.line.color, t.marker.line.color)
            assert t.marker.line.width >= 1 and all(_contrast(ring, lane) >= 3 for lane in lanes), t.name


def test_the_colorway_is_the_ten_named_colours_in_order_and_all_different():
    assert COLORWAY == tuple(PALETTE[n] for n in NAMED)
    assert len({c.lower() for c in COLORWAY}) == len(COLORWAY)


def test_guide_and_ink_are_distinct_from_black_and_guide_is_grey():
    assert GUIDE == palette.GREY
    assert INK.lower() != "#000000" and _passes_both(INK)


def test_the_backgrounds_are_white_and_the_two_dark_backgrounds_of_the_themes():
    assert BACKGROUNDS == ("#ffffff", "#14181e", "#121212")


# --- the contrast ratio against published values ------------------------------------------

def test_contrast_of_white_and_black_is_21_and_of_a_colour_with_itself_is_1():
    assert _contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)  # the order does not matter
    for colour in (*COLORWAY, INK, "#14181e", "#ffffff"):
        assert _contrast(colour, colour) == pytest.approx(1.0)


def test_contrast_matches_webaims_published_greys_on_white():
    # WebAIM's contrast checker: #777777 on white is 4.48:1 (fails 4.5), #767676 is 4.54:1.
    assert _contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.005)


def test_tableaus_orange_is_2_5_to_1_on_white_so_it_fails():
    assert _contrast("#ff7f0e", "#ffffff") == pytest.approx(2.53, abs=0.01)


def test_relative_luminance_is_0_for_black_1_for_white_and_the_green_weight_for_pure_green():
    assert _relative_luminance("#000000") == 0.0
    assert _relative_luminance("#ffffff") == pytest.approx(1.0)
    assert _relative_luminance("#00ff00") == pytest.approx(0.7152)


def test_the_linear_segment_threshold_0_04045_or_wcags_0_03928_gives_the_same_8_bit_results():
    # WCAG 2.1's text uses 0.03928 (from an old sRGB draft); _relative_luminance uses sRGB's
    # 0.04045. No 8-bit channel value lies between them, so both give the same luminance.
    assert not [k for k in range(256) if 0.03928 < k / 255 <= 0.04045]


# --- every colour the sources draw with ---------------------------------------------------

def _key_path(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """The chain of dict keys and keyword names above a constant, outermost first: for
    ``marker={"line": {"color": "white"}}``, ``["marker", "line", "color"]``. It stops at a
    call other than ``dict(...)`` (a trace or an annotation) or at anything that is not a
    dict, a list or a tuple."""
    path: list[str] = []
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Dict) and any(v is node for v in parent.values):
            key = parent.keys[[i for i, v in enumerate(parent.values) if v is node][0]]
            path.insert(0, key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else "?")
        elif isinstance(parent, ast.keyword):
            path.insert(0, parent.arg or "**")
            call = parents[parent]
            if not (isinstance(call.func, ast.Name) and call.func.id == "dict"):
                break
            parent = call
        elif not isinstance(parent, (ast.List, ast.Tuple)):
            break
        node = parent
    return path


def _colour_literals(path: Path):
    """(line, string, colour as #rrggbb or None if unknown, key path) for every string in
    the module that is a colour: a hex literal anywhere (also inside a longer string), a
    CSS colour name, or any string in a colour position (a key or keyword ending in
    "color"). Docstrings and other bare string statements are prose and skipped, as are
    palette.BACKGROUNDS (the colours held against, not drawn) and palette._letter_on (a
    letter's colour on a marker, held at 4.5:1 against the marker by its own test)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))
        if (path.name == "palette.py" and isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "BACKGROUNDS" for t in node.targets)):
            skipped.update(id(n) for n in ast.walk(node.value))
        if path.name == "palette.py" and isinstance(node, ast.FunctionDef) and node.name == "_letter_on":
            skipped.update(id(n) for n in ast.walk(node))  # letters on markers: tested at 4.5:1 above
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skipped:
            continue
        text = node.value
        keys = _key_path(node, parents)
        named_keys = [k for k in keys if k != "?"]
        in_colour_position = bool(named_keys) and re.search(r"colou?r$", named_keys[-1], re.I) is not None
        if _rrggbb(text) is not None or text.lower() in CSS_NAMES or in_colour_position:
            yield node.lineno, text, _rrggbb(text), keys
        else:
            for found in HEX.findall(text):
                yield node.lineno, found, found.lower(), []


def _white_is_on_a_marker(keys: list[str]) -> bool:
    """White is allowed only as a marker's outline, or as a marker's fill inside an
    outline (the browser test holds each marker's fill or outline at 3:1 against the page)."""
    return keys[-3:] == ["marker", "line", "color"] or keys[-2:] == ["marker", "color"]


MODULES = sorted(SRC.rglob("*.py"))


def test_the_scan_finds_the_modules_and_the_colours_they_use():
    # guards the scan itself: it must see the guides' "grey", hashing's white letters and the palette
    found = {(p.name, text) for p in MODULES for _, text, _, _ in _colour_literals(p)}
    assert {("threadmeasure.py", "grey"), ("hashing.py", "white"), ("palette.py", palette.GREEN)} <= found
    assert not any(text == "#ffffff" for p in MODULES if p.name == "palette.py" for _, text, _, _ in _colour_literals(p))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_colour_in_the_sources_is_a_palette_colour_or_passes_both_backgrounds(module):
    palette_values = {c.lower() for c in PALETTE.values()}
    bad = []
    for line, text, colour, keys in _colour_literals(module):
        where = f"{module.name}:{line} {text!r} at {'.'.join(keys) or '(no key)'}"
        if colour is None:
            bad.append(f"{where}: not a colour this test can judge (give it a value in CSS_VALUES)")
        elif colour == "#ffffff":
            if not _white_is_on_a_marker(keys):
                bad.append(f"{where}: white is allowed only as a marker's outline or as a marker's fill inside one")
        elif colour not in palette_values and not _passes_both(colour):
            ratios = ", ".join(f"{_contrast(colour, bg):.2f} on {bg}" for bg in BACKGROUNDS)
            bad.append(f"{where}: {ratios}")
    assert not bad, "\n".join(bad)


# --- the player's page script -------------------------------------------------------------

PLAYER_JS = (SRC / "static" / "player.js").read_text(encoding="utf-8")


def test_player_js_colors_equal_player_py_colors():
    from scalelab.player import COLORS

    block = re.search(r"var COLORS = \{(.*?)\};", PLAYER_JS, re.S).group(1)
    js = dict(re.findall(r'(\w+):\s*"([^"]*)"', block))
    assert js == COLORS


def test_player_js_draws_with_the_same_palette_colours_as_player_diagram():
    from scalelab.failures import payment_run
    from scalelab.player import COLORS, diagram

    js = {c.lower() for c in HEX.findall(PLAYER_JS)}
    assert js <= {c.lower() for c in PALETTE.values()}
    fig = diagram(payment_run(drop=(2,)))
    py = set(COLORS.values())
    for trace in fig.data:
        for part in (trace.line, trace.marker):
            if isinstance(part.color, str):
                py.add(part.color)
    assert js == {c.lower() for c in py}


def test_the_replica_pictures_marks_keep_off_the_diamonds_and_their_letters():
    """The copies' circles ring a diamond from outside it and a skipped point's cross stands
    outside the walk, so neither hides a node's letter; both stand out from the page."""
    import numpy as np

    from scalelab.placement import SKIP_RADIUS, replica_picture

    pic = replica_picture(3, 8, 3)  # seven skipped points
    crosses = pic["skipped: same node again"]
    radius = np.hypot(crosses["x"], crosses["y"])
    assert len(radius) == 7 and np.allclose(radius, SKIP_RADIUS) and SKIP_RADIUS > 1.15  # the walk is at 1.1
    circles, diamond = pic["copies"]["marker"], pic["node A"]["marker"]
    assert circles["symbol"] == "circle-open" and circles["size"] > diamond["size"] * 1.3
    for marker in (crosses["marker"], circles):
        edge = marker.get("line", {}).get("color", marker["color"])
        assert all(_contrast(CSS_VALUES.get(edge, edge), bg) >= 3 for bg in BACKGROUNDS)
        assert marker["line"]["width"] >= 1.5  # an edge that is drawn
    # the crosses, half their 13 px out, stay inside the picture's range
    from scalelab.placement import PICTURE_RANGE

    assert SKIP_RADIUS + 0.08 < PICTURE_RANGE[1]


# --- colour-blind readers: colour differences (ΔE2000 after Machado et al. 2009) ------------

VISIONS = ("normal", "deuteranopia", "protanopia")


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    # Sharma, Wu and Dalal (2005), table 1: pairs 1, 2, 7, 9, 17, 25 and 34
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_delta_e2000_matches_sharmas_published_test_pairs(lab1, lab2, expected):
    assert palette._delta_e2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert palette._delta_e2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)  # symmetric


def test_the_simulations_keep_greys_grey_and_merge_red_with_green_for_deuteranopes():
    # Machado et al.'s matrices map white to white and keep greys neutral (rows sum to 1) ...
    for vision in VISIONS:
        for grey in ("#000000", "#7f7f7f", "#ffffff"):
            assert palette._colour_difference(grey, grey, vision) == 0.0
            lightness, a, b = palette._lab(grey, vision)
            assert abs(a) < 0.05 and abs(b) < 0.05, (vision, grey)
    # ... and take away most of what tells pure red from pure green for a deuteranope.
    normal = palette._colour_difference("#ff0000", "#00ff00")
    assert normal > 80 and palette._colour_difference("#ff0000", "#00ff00", "deuteranopia") < normal / 2


def _closest(a: str, b: str) -> tuple[float, str]:
    return min((palette._colour_difference(a, b, v), v) for v in VISIONS)


def test_the_first_four_colorway_colours_are_pairwise_10_apart_for_every_reader():
    """A figure with up to four curves drawn alike gets these from the colorway; the
    docstring says blue/teal and red/orange are the closest, 10.2 under deuteranopia."""
    first = COLORWAY[:4]
    assert first == (palette.BLUE, palette.RED, palette.TEAL, palette.ORANGE)
    for i, a in enumerate(first):
        for b in first[i + 1:]:
            assert _closest(a, b)[0] >= 10, (a, b, _closest(a, b))
    assert round(_closest(palette.BLUE, palette.TEAL)[0], 1) == 10.2
    assert round(_closest(palette.RED, palette.ORANGE)[0], 1) == 10.2


def test_no_five_palette_colours_are_pairwise_10_apart_so_a_fifth_curve_needs_its_own_style():
    import itertools

    def worst(colours):
        return min(_closest(a, b)[0] for a, b in itertools.combinations(colours, 2))

    assert max(worst(five) for five in itertools.combinations(COLORWAY, 5)) < 10


def test_the_layers_of_chapter_4s_stacked_bars_are_as_far_apart_as_five_colours_go():
    import itertools

    from scalelab.network import encapsulation_bars

    layers = [bar["marker"]["color"] for bar in encapsulation_bars(100).values()]
    pairs = {(a, b): _closest(a, b)[0] for a, b in itertools.combinations(layers, 2)}
    assert len(set(layers)) == 5 and round(min(pairs.values()), 1) == 9.6
    for (a, b), d in pairs.items():  # the one pair under 10 (red and brown) are not neighbours
        assert d >= 10 or abs(layers.index(a) - layers.index(b)) > 1, (a, b, d)


def test_the_docstrings_list_of_close_pairs_is_complete_and_right():
    """Every pair of the ten that is under 10 apart for a colour-blind reader is listed, with
    its difference; no other pair is; in normal vision all ten are 10 or more apart."""
    named = {PALETTE[n]: n.lower() for n in NAMED}
    close = {}
    for i, a in enumerate(COLORWAY):
        for b in COLORWAY[i + 1:]:
            assert palette._colour_difference(a, b) >= 10, (named[a], named[b])
            for vision in ("deuteranopia", "protanopia"):
                d = palette._colour_difference(a, b, vision)
                if d < 10:
                    close[(vision, frozenset((named[a], named[b])))] = round(d, 1)
    doc = " ".join(palette.__doc__.split())
    listed = {}
    for vision in ("deuteranopia", "protanopia"):
        section = doc.split(f"- under {vision}:")[1].split("- under")[0].split("The colorway's order")[0]
        for a, b, d in re.findall(r"(\w+) and (\w+) (\d+\.\d)", section):
            listed[(vision, frozenset((a, b)))] = float(d)
    assert listed == close


def _drawn_alike(traces, layout=None) -> dict[tuple, list[tuple[str, list]]]:
    """The traces told apart by colour alone, grouped by everything else that tells them apart
    to the eye (type, mode, dash, width, marker symbol and size, axis), each as its colour and
    x values. What a trace leaves out takes its default, as plotly.js and the course template
    give it: the colorway's colour by the trace's place among all the traces, solid lines 2.5
    px wide, a mode of lines and markers under 20 points and lines from 20, markers 6 px
    across, the first y axis. Left out: traces out of the legend, which something else names
    (a lane, a guide, a ring's arc ending at its node's lettered diamond, a node's diamond
    carrying its letter, a panel's repeat of a curve the legend names once); and stacked
    bars (each layer keeps its place in the stack)."""
    groups: dict[tuple, list[tuple[str, list]]] = {}
    for i, trace in enumerate(traces):
        t = trace if isinstance(trace, dict) else trace.to_plotly_json()
        if t.get("showlegend") is False:
            continue
        if t.get("type") == "bar" and (layout or {}).get("barmode") == "stack":
            continue
        line, marker = t.get("line") or {}, t.get("marker") or {}
        colours = [c for c in (line.get("color"), marker.get("color")) if c is not None] or [COLORWAY[i % len(COLORWAY)]]
        symbols = marker.get("symbol", "circle")
        for colour in dict.fromkeys(c if isinstance(c, str) else tuple(c) for c in colours):
            pairs = (zip(colour, symbols if isinstance(symbols, (list, tuple)) else [symbols] * len(colour))
                     if isinstance(colour, tuple) else [(colour, symbols)])
            for c, symbol in pairs:
                kind = t.get("type") or "scatter"
                points = t.get("points", len(_values(t.get("x"))))
                mode = t.get("mode") or ("lines+markers" if points < 20 else "lines") if kind == "scatter" else None
                key = (kind, mode, line.get("dash") or "solid", line.get("width") or 2.5,
                       str(symbol), marker.get("size") or 6, t.get("yaxis") or "y")
                groups.setdefault(key, []).append((CSS_VALUES.get(c, c).lower(), _values(t.get("x"))))
    return groups


def _values(x) -> list:
    return [] if x is None else [v for v in (x.tolist() if hasattr(x, "tolist") else list(x)) if v == v]  # no NaN


def _overlap(xs: list, ys: list) -> bool:
    """Whether two traces share any of the x axis (so a reader must tell them apart there)."""
    if not xs or not ys:
        return True
    if all(isinstance(v, str) for v in xs + ys):
        return bool(set(xs) & set(ys))
    a = [v for v in xs if isinstance(v, (int, float))]
    b = [v for v in ys if isinstance(v, (int, float))]
    return not a or not b or (min(a) <= max(b) and min(b) <= max(a))


def _close_pairs(traces, layout=None) -> tuple[int, list]:
    """How many pairs of traces drawn alike, sharing the x axis, differ by colour alone, and
    those under 10 apart for some reader."""
    checked, close = 0, []
    for style, members in _drawn_alike(traces, layout).items():
        for i, (a, xa) in enumerate(members):
            for b, xb in members[i + 1:]:
                if a != b and _overlap(xa, xb):
                    checked += 1
                    if _closest(a, b)[0] < 10:
                        close.append((style[:3], a, b, _closest(a, b)))
    return checked, close


def _stored_figures():
    """Every figure the chapters store (explorers and shown figures, not players): chapter,
    title, traces (each with its x values over all frames) and layout."""
    for path, spec in stored_figure_specs():
        if "figure" not in spec:
            continue  # a player: its marks differ by symbol (player.SYMBOLS)
        traces = [dict(t) for t in spec["figure"]["data"]]
        frames = spec.get("frames") or []
        for i, t in enumerate(traces):
            xs = list(t.get("x") or [])
            ref = frames[0][i] if frames else None  # the first frame's: [x, y] or y
            t["points"] = len(spec["arrays"][ref[0]]) if isinstance(ref, list) else len(xs)
            for frame in frames:
                if isinstance(frame[i], list):  # this trace's x changes with the frame
                    xs += spec["arrays"][frame[i][0]]
            t["x"] = xs
        layout = spec["figure"]["layout"]
        yield path.stem, (layout.get("title") or {}).get("text", ""), traces, layout


def test_every_figures_curves_told_apart_by_colour_alone_are_10_apart_for_every_reader():
    """In every figure the book stores, two curves drawn alike over the same stretch of x
    differ in colour by 10 or more (ΔE2000) under normal vision, deuteranopia and
    protanopia, whether the figure sets their colours or takes them from the colorway."""
    figures = checked = 0
    close = []
    for chapter, title, traces, layout in _stored_figures():
        figures += 1
        n, pairs = _close_pairs(traces, layout)
        checked += n
        close += [(chapter, title[:50], *p) for p in pairs]
    assert figures >= 50 and checked >= 60  # it reads the figures and finds the pairs to check
    assert not close, "\n".join(map(str, close))


def test_the_close_pairs_check_finds_a_fifth_colorway_curve_and_ignores_what_is_told_apart():
    five = [{"x": [1, 2], "y": [1, 2], "mode": "lines", "name": f"c{i}"} for i in range(5)]
    assert _close_pairs(five)[1]  # the fifth takes pink: 6.0 from teal under deuteranopia
    assert _close_pairs(five[:4]) == (6, [])
    dashed = five[:4] + [{**five[4], "line": {"dash": "dot"}}]
    assert not _close_pairs(dashed)[1]
    apart = five[:4] + [{**five[4], "x": [3, 4]}]  # a stretch of x no other curve shares
    assert not _close_pairs(apart)[1]
    bars = [{"type": "bar", "x": ["a"], "y": [1], "name": f"b{i}"} for i in range(5)]
    assert _close_pairs(bars)[1] and not _close_pairs(bars, {"barmode": "stack"})[1]
    spelled = five[:4] + [{**five[4], "line": {"dash": "solid", "width": 2.5}, "mode": "lines"}]
    assert _close_pairs(spelled)[1]  # the defaults spelled out draw the same curve
    assert _close_pairs([{**c, "x": list(range(25))} for c in five[:4]] + [{**five[4], "x": list(range(25)), "mode": "lines"}])[1]
    assert not _close_pairs([*five[:4], {**five[4], "showlegend": False}])[1]


def test_the_timeout_figures_three_attempt_counts_are_10_apart_for_every_reader():
    # the case review pass 8 found: orange and green, 7.9 apart under protanopia, on solid curves
    from scalelab.failures import timeout_tradeoff_curves

    curves = timeout_tradeoff_curves(20, 0.5, 50)
    solid = {curves[n]["line"]["color"] for n in ("1 attempt", "2 attempts", "3 attempts")}
    assert len(solid) == 3 and palette.GREEN not in solid
    checked, close = _close_pairs([{**c, "name": n} for n, c in curves.items()])
    assert checked >= 3 and not close


@pytest.mark.parametrize(("call", "message"), [
    (lambda: palette._colour_difference("#fff", "#000000"), "color must be a '#rrggbb' string, got '#fff'"),
    (lambda: palette._colour_difference("#ffffff", 0), "color must be a '#rrggbb' string, got 0"),
    (lambda: palette._contrast("white", "#000000"), "got 'white'"),
    (lambda: palette._colour_difference("#ffffff", "#000000", "tritanopia"),
     "vision must be one of 'normal', 'deuteranopia', 'protanopia', got 'tritanopia'"),
])
def test_the_colour_helpers_refuse_what_they_cannot_read(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
