"""One interactive figure, three ways to read it: ``explore(model, **sliders)``.

A chapter hands ``explore`` a *model* (a function of named parameters that returns the
curves to draw) and a range for each parameter. The result displays as:

* **Static HTML** (the built book, no Python running): native, labelled HTML controls
  (``<input type="range">`` or ``<select>``) over a plotly figure, moving through a
  precomputed grid of every combination of slider values, with a text alternative that
  states what the figure shows at the current setting. The page script
  (``scalelab/static/explorer.js``, served once per page by ``scalelab.sphinxext``) draws
  each figure when it nears the viewport and makes one plotly call per control move.
* **Live kernel** (JupyterLab, Binder): ipywidgets sliders that call the model and
  update the traces of a ``plotly.graph_objects.FigureWidget`` in place.
* **Tests**: a deterministic text summary plus the static figure, computed once.

The model returns a dict ``{curve name: (x, y)}``, or ``{curve name: dict(x=..., y=...,
**plotly trace style)}``. It must return the same curve names, in the same order, for
every parameter value; only ``x`` and ``y`` change between slider positions.

>>> import numpy as np
>>> def line(slope):
...     x = np.arange(5)
...     return {"y = slope x": (x, slope * x)}
>>> ex = explore(line, slope=(0, 2, 0.5, 1), title="A line of slope {slope}")
>>> ex.sliders[0].values
(0.0, 0.5, 1.0, 1.5, 2.0)
>>> print(ex)
Explorer 'A line of slope {slope}': slope 0..2 (5 values, start 1); static grid 5 frames, ...
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
from decimal import ROUND_HALF_UP, Decimal
import os
import string
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from . import _validate
from .palette import TEMPLATE

__all__ = ["explore", "show", "slider", "choices", "title_over_legend", "Slider", "Explorer", "Shown", "STATIC_ENV",
           "registered"]

#: Set to "1" (the book build does, through ``scalelab.sphinxext``) to display only the
#: static figure: no widgets are created, so no widget state is saved into the page.
STATIC_ENV = "SCALELAB_STATIC"

#: Default and hard limits for one figure's static HTML (figure, grid and controls), in
#: bytes, as written into the page.
DEFAULT_STATIC_BUDGET = 350_000
MAX_STATIC_BYTES = 1_000_000

#: Most values one slider may have (``slider(0, 1, 1e-12)`` is refused before any work).
MAX_SLIDER_VALUES = 20_000
#: Most combinations of slider values an explorer may span (its live grid, walked by
#: :meth:`Explorer.empty_frames`).
MAX_GRID_POINTS = 1_000_000
#: Most frames the static page precomputes; wider grids are thinned before the model runs.
MAX_STATIC_FRAMES = 5_000
#: Tallest figure, in pixels (``height`` is in [MIN_HEIGHT, MAX_HEIGHT]).
MIN_HEIGHT, MAX_HEIGHT = 100, 3_000
#: Most grid points and timed updates :meth:`Explorer.time_updates` takes.
MAX_TIMED_UPDATES = 5_000
#: Trace types in the plotly.js bundle the book serves (npm ``plotly.js-basic-dist-min``).
BUNDLE_TRACE_TYPES = ("scatter", "bar", "pie")

Model = Callable[..., Mapping[str, Any]]


# --- Sliders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """One parameter's slider: the values it can take, where it starts, and its label."""

    values: tuple[float, ...]
    default: float | None = None
    label: str | None = None
    name: str = ""
    unit: str | None = None

    def __post_init__(self) -> None:
        what = f"slider {self.name}" if self.name else "slider"
        if not isinstance(self.values, (tuple, list)) or len(self.values) < 1:
            raise ValueError(f"{what} needs at least one value (values: a tuple of numbers), got {self.values!r}")
        if len(self.values) > MAX_SLIDER_VALUES:
            raise ValueError(f"{what} may have at most {MAX_SLIDER_VALUES} values, got {len(self.values)}")
        _validate.in_range(f"{what} values", self.values, max_ndim=1)
        if self.default is not None:
            _validate.in_range(f"{what} default", self.default)
            lo, hi = min(self.values), max(self.values)
            tol = 1e-9 * max(abs(lo), abs(hi), 1e-300)
            if not lo - tol <= float(self.default) <= hi + tol:
                raise ValueError(f"{what} default must be in [{lo:g}, {hi:g}] (the slider's range), "
                                 f"got {self.default!r}")

    @property
    def default_index(self) -> int:
        if self.default is None:
            return (len(self.values) - 1) // 2
        return int(np.argmin(np.abs(np.asarray(self.values, dtype=float) - float(self.default))))

    @property
    def start(self) -> float:
        return self.values[self.default_index]

    @property
    def text(self) -> str:
        """The control's label: ``label``, or the parameter's name in words (:func:`_readable`)."""
        return self.label or _readable(self.name)

    def shown(self, value: float) -> str:
        """A value as the static page shows it, with the unit if there is one."""
        value = _validate.number("value", value)
        return f"{value:g} {self.unit}" if self.unit else f"{value:g}"

    @property
    def is_integer(self) -> bool:
        return all(float(v).is_integer() for v in self.values)

    @property
    def is_uniform(self) -> bool:
        v = np.asarray(self.values, dtype=float)
        return v.size < 3 or bool(np.allclose(np.diff(v), v[1] - v[0], rtol=1e-6, atol=1e-12))


def _tidy(value: float) -> float | int:
    """A value as a short, exact-looking number (0.30000000000000004 -> 0.3; 4.0 -> 4)."""
    v = float(f"{float(value):.10g}")
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


#: A parameter name's last words that are its unit, and the unit as a label says it.
_UNITS = (("_mb_per_s", "MB/s"), ("_per_s", "per s"), ("_percent", "%"), ("_bytes", "bytes"), ("_ms", "ms"),
          ("_km", "km"), ("_s", "s"), ("_h", "h"))


def _readable(name: str) -> str:
    """A parameter's name as its control's label: words rather than an identifier (a screen
    reader would say the underscores), with its unit in brackets.

    >>> _readable("timeout_spread_ms"), _readable("marshal_mb_per_s"), _readable("seed")
    ('timeout spread (ms)', 'marshal (MB/s)', 'seed')
    """
    for suffix, unit in _UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{name[:-len(suffix)].replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def slider(start: float, stop: float, step: float | None = None, *, default: float | None = None,
           label: str | None = None, unit: str | None = None) -> Slider:
    """A slider over ``start, start + step, ..., stop`` (step 1 if omitted), both ends included.

    At most :data:`MAX_SLIDER_VALUES` values; ``default`` (the start position, the middle
    value if omitted) must lie in ``[start, stop]`` and snaps to the nearest value.
    ``unit`` is shown after the value on the static page.

    >>> slider(1, 3).values
    (1, 2, 3)
    >>> slider(0, 0.3, 0.1).values
    (0.0, 0.1, 0.2, 0.3)
    """
    step = 1 if step is None else step
    for key, value in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(value, (bool, np.bool_, str, bytes)) or not _validate.is_finite_number(value):
            raise ValueError(f"slider {key} must be a finite number, got {_validate._show(value)}")
    _validate.positive("slider step", step)
    if stop < start:
        raise ValueError(f"slider stop must be >= start, got start={start!r}, stop={stop!r}")
    count_f = math.floor((stop - start) / step + 1e-9) + 1
    if count_f > MAX_SLIDER_VALUES:
        raise ValueError(f"slider step must give at most {MAX_SLIDER_VALUES} values from start={start!r} to "
                         f"stop={stop!r}, got step={step!r} ({count_f:.3g} values)")
    count = int(count_f)
    values = [_tidy(start + i * step) for i in range(count)]
    if all(isinstance(v, int) for v in (start, stop, step)):
        values = [int(v) for v in values]
    elif any(isinstance(v, float) for v in (start, stop, step)):
        values = [float(v) for v in values]
    return Slider(tuple(values), default, label, unit=unit)


def choices(values: Sequence[float], *, default: float | None = None, label: str | None = None,
            unit: str | None = None) -> Slider:
    """A slider over an explicit list of values (e.g. powers of two); at most
    :data:`MAX_SLIDER_VALUES` finite numbers. The static page shows few values as a select.

    >>> choices([1, 2, 4, 8], default=4).start
    4
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ValueError(f"choices values must be a list of finite numbers, got {_validate._show(values)}")
    values = list(values)
    if not values:
        raise ValueError("choices values must hold at least one value, got []")
    if len(values) > MAX_SLIDER_VALUES:
        raise ValueError(f"choices may have at most {MAX_SLIDER_VALUES} values, got {len(values)}")
    for v in values:
        if isinstance(v, (bool, np.bool_, str, bytes)) or not _validate.is_finite_number(v):
            raise ValueError(f"choices values must be finite numbers, got {v!r}")
    vals = tuple(_tidy(v) for v in values)
    return Slider(vals, default, label, unit=unit)


def _as_slider(name: str, spec: Any) -> Slider:
    """Accept ``(start, stop)``, ``(start, stop, step)``, ``(start, stop, step, default)``,
    a list of values, or a :class:`Slider`."""
    if isinstance(spec, Slider):
        s = spec
    elif isinstance(spec, list) or isinstance(spec, np.ndarray):
        s = choices(list(spec))
    elif isinstance(spec, tuple) and 2 <= len(spec) <= 4:
        start, stop, *rest = spec
        step = rest[0] if rest else None
        default = rest[1] if len(rest) > 1 else None
        s = slider(start, stop, step, default=default)
    else:
        raise ValueError(
            f"slider {name} must be (start, stop[, step[, default]]), a list of values or "
            f"scalelab.slider(...), got {spec!r}"
        )
    return replace(s, name=name)


# --- Normalizing what a model returns -----------------------------------------------

_UPDATED = ("x", "y")


def _at(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _curves(model: Model, params: Mapping[str, Any], *, need_finite: bool = False) -> list[dict[str, Any]]:
    """The model's curves at ``params``, checked: each has 1-D ``x`` and ``y`` of the same
    length and numeric ``y``, of a trace type the book's plotly.js has; and at least one
    curve has a finite ``y`` (or is named "Note: ...") when ``need_finite`` (explore checks
    that at the start values; ``Explorer.empty_frames`` reports other settings with nothing
    to see). One curve may be all NaN at a setting (a limit that does not exist there). A
    bad curve is refused with its name and the setting."""
    out = model(**params)
    if not isinstance(out, Mapping) or not out:
        raise ValueError(f"model must return a non-empty dict of curves, got {type(out).__name__}")
    traces = []
    for name, curve in out.items():
        if isinstance(curve, Mapping):
            trace = dict(curve)
        elif isinstance(curve, (tuple, list)) and len(curve) == 2:
            trace = {"x": curve[0], "y": curve[1]}
        else:
            raise ValueError(f"curve {name!r} must be (x, y) or a dict with x and y")
        if "x" not in trace or "y" not in trace:
            raise ValueError(f"curve {name!r} must have both x and y, got keys {sorted(trace)}")
        trace.setdefault("name", str(name))
        for key in _UPDATED:
            try:
                arr = np.asarray(trace[key])
            except ValueError:  # ragged nested lists
                raise ValueError(f"curve {name!r}: {key} must be a 1-D array (at {_at(params)})") from None
            if arr.ndim > 1:
                raise ValueError(f"curve {name!r}: {key} must be 1-D, got shape {arr.shape} (at {_at(params)})")
            trace[key] = np.atleast_1d(arr)
        x, y = trace["x"], trace["y"]
        if x.shape != y.shape:
            raise ValueError(f"curve {name!r}: x and y must have the same length, got {x.size} and {y.size} "
                             f"(at {_at(params)})")
        if y.dtype.kind not in "iufb" and not (y.dtype.kind == "O" and all(
                v is None or isinstance(v, (int, float, np.number)) for v in y.tolist())):
            raise ValueError(f"curve {name!r}: y must be numbers, got {y.dtype} (at {_at(params)})")
        if y.dtype.kind == "O":
            y = trace["y"] = np.array([np.nan if v is None else v for v in y.tolist()], dtype=float)
        kind = trace.get("type", "scatter")
        if kind not in BUNDLE_TRACE_TYPES:
            raise ValueError(f"curve {name!r}: trace type {kind!r} is not in the book's plotly.js bundle "
                             f"({', '.join(BUNDLE_TRACE_TYPES)})")
        traces.append(trace)
    drawable = [t for t in traces if str(t["name"]).startswith("Note:")
                or (t["y"].size and np.isfinite(t["y"].astype(float)).any())]
    hollow = [t["name"] for t in traces if t["y"].size and not np.isfinite(t["y"].astype(float)).any()]
    if need_finite and not drawable and hollow:
        raise ValueError(f"curve {hollow[0]!r} has no finite y value (all NaN or inf) at {_at(params)}, and no "
                         f"other curve has any ({', '.join(map(repr, hollow))}): return a curve named "
                         "\"Note: ...\" that says why nothing shows here")
    return traces


def _numbers_json(values: np.ndarray) -> str:
    """A compact JSON array: 6 significant digits, NaN and inf as null."""
    a = np.asarray(values)
    if a.dtype.kind not in "iuf":
        return json.dumps([str(v) for v in a.ravel()])
    a = a.astype(float).ravel()
    text = np.char.mod("%.6g", a).astype(object)
    text[~np.isfinite(a)] = "null"
    return "[" + ",".join(text.tolist()) + "]"


def _finite_range(arrays: list[np.ndarray], log: bool) -> list[float] | None:
    lo, hi = math.inf, -math.inf
    for a in arrays:
        if a.dtype.kind not in "iuf":
            return None
        a = a.astype(float)
        a = a[np.isfinite(a) & (a > 0)] if log else a[np.isfinite(a)]
        if a.size:
            lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    if not math.isfinite(lo):
        return None
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    pad = 0.04 * (hi - lo) if hi > lo else (abs(hi) * 0.1 or 1.0)
    return [lo - pad, hi + pad]


# --- The explorer -------------------------------------------------------------------

_REGISTRY: list["Explorer"] = []


def registered() -> list["Explorer"]:
    """Every explorer made in this process, oldest first (used by ``make bench``)."""
    return list(_REGISTRY)


@dataclass
class Explorer:
    """An interactive figure over a model; see :func:`explore`."""

    model: Model
    sliders: list[Slider]
    title: str = ""
    x_title: str = ""
    y_title: str = ""
    log_x: bool = False
    log_y: bool = False
    x_range: Sequence[float] | None = None
    y_range: Sequence[float] | None = None
    fixed_axes: bool = True
    height: int = 420
    layout: Mapping[str, Any] = field(default_factory=dict)
    static_budget_bytes: int = DEFAULT_STATIC_BUDGET
    summary: Callable[..., str] | None = None
    _static: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _static_json: str | None = field(default=None, init=False, repr=False)
    _widget: Any = field(default=None, init=False, repr=False)
    _figure_widget: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.model):
            raise ValueError(f"model must be a function of the slider values, got {self.model!r}")
        if self.summary is not None and not callable(self.summary):
            raise ValueError(f"summary must be a function of the sliders returning text, or None, "
                             f"got {_validate._show(self.summary)}")
        if not isinstance(self.sliders, list) or not self.sliders or not all(isinstance(s, Slider) for s in self.sliders):
            raise ValueError(f"sliders must be a non-empty list of Slider (explore makes them), got {self.sliders!r}")
        _validate.count("height", self.height, MAX_HEIGHT, low=MIN_HEIGHT)
        _validate.count("static_budget_bytes", self.static_budget_bytes, MAX_STATIC_BYTES, low=1_000)
        for name in ("x_range", "y_range"):
            given = getattr(self, name)
            if given is not None and _validate.in_range(name, given, max_ndim=1).shape != (2,):
                raise ValueError(f"{name} must be (low, high), two numbers, got {given!r}")

    # -- the model at one point of the grid -----------------------------------------
    @property
    def defaults(self) -> dict[str, Any]:
        return {s.name: s.start for s in self.sliders}

    def curves(self, **params: Any) -> list[dict[str, Any]]:
        """The model's curves at ``params`` (missing ones take their slider's start value)."""
        return _curves(self.model, {**self.defaults, **params})

    def _summary_at(self, params: Mapping[str, Any]) -> str:
        """The ``summary`` function's words for these slider values: the text alternative
        says them after the title, in place of each curve's numbers."""
        if self.summary is None:
            return ""
        said = self.summary(**params)
        if not isinstance(said, str) or not said.strip():
            raise ValueError(f"summary must return text (a non-empty str) for {_at(params)}, got {_validate._show(said)}")
        return said

    def title_at(self, params: Mapping[str, Any]) -> str:
        """The title at ``params``: ``title.format(**params)``. A title naming a parameter
        that is not a slider raises ``ValueError`` saying which."""
        if not isinstance(params, Mapping):
            raise ValueError(f"params must be a mapping of slider names to values, got {_validate._show(params)}")
        if not self.title or not any(f for _, f, _, _ in string.Formatter().parse(self.title)):
            return self.title
        try:
            return self.title.format(**params)
        except KeyError as missing:
            raise ValueError(f"title {self.title!r} names {missing.args[0]!r}, which is not a slider "
                             f"(sliders: {', '.join(s.name for s in self.sliders)})") from None
        except (ValueError, IndexError, TypeError) as err:
            raise ValueError(f"title {self.title!r} cannot be formatted with {_at(params)}: {err}") from None

    def _base_layout(self, ranges: Mapping[str, Any] | None = None) -> dict[str, Any]:
        layout: dict[str, Any] = {
            "title": {"text": self.title_at(self.defaults)},
            "xaxis": {"title": {"text": self.x_title}, "type": "log" if self.log_x else "linear"},
            "yaxis": {"title": {"text": self.y_title}, "type": "log" if self.log_y else "linear"},
            "template": TEMPLATE,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
            "margin": {"l": 60, "r": 20, "t": 80, "b": 60},
            "height": self.height,
        }
        if ranges is None:
            ranges = self.static_spec()["ranges"] if self.fixed_axes else {}
        elif not self.fixed_axes:
            ranges = {}
        for axis, given in (("xaxis", self.x_range), ("yaxis", self.y_range)):
            if given is not None:
                log = layout[axis]["type"] == "log"
                layout[axis]["range"] = [math.log10(v) for v in given] if log else list(given)
            elif ranges.get(axis):
                layout[axis]["range"] = ranges[axis]
        for key, value in self.layout.items():
            if isinstance(value, Mapping) and isinstance(layout.get(key), dict):
                layout[key] = {**layout[key], **value}
            else:
                layout[key] = value
        return layout

    def figure(self, **params: Any) -> go.Figure:
        """A plain plotly figure of the model at ``params`` (no sliders)."""
        traces = self.curves(**params)
        layout = self._base_layout()
        layout["title"] = {"text": self.title_at({**self.defaults, **params})}
        return go.Figure([go.Scatter(**t) if "type" not in t else dict(t) for t in traces], layout)

    # -- something to see at every grid point ---------------------------------------
    def empty_frames(self) -> list[dict[str, Any]]:
        """Slider settings (over the whole live grid) at which no curve has a finite point
        inside the figure's axis ranges. A model that means to draw nothing at a setting
        says so with a curve whose name starts with ``"Note:"`` (shown in the legend), and
        such settings are not reported."""
        layout = self._base_layout()
        bounds = {}
        for axis in ("xaxis", "yaxis"):
            rng = layout.get(axis, {}).get("range")
            log = layout.get(axis, {}).get("type") == "log"
            bounds[axis] = (log, None if rng is None else sorted(10 ** v if log else v for v in rng))
        names = [sl.name for sl in self.sliders]
        empty = []
        for combo in itertools.product(*(sl.values for sl in self.sliders)):
            params = dict(zip(names, combo))
            traces = self.curves(**params)
            if any(str(t.get("name", "")).startswith("Note:") for t in traces):
                continue
            visible = False
            for t in traces:
                x, y = np.asarray(t["x"]), np.asarray(t["y"])
                if x.dtype.kind not in "iuf" or y.dtype.kind not in "iuf" or x.shape != y.shape:
                    visible = visible or (y.dtype.kind in "iuf" and bool(np.isfinite(y.astype(float)).any()))
                    continue
                ok = np.isfinite(x.astype(float)) & np.isfinite(y.astype(float))
                for arr, (log, rng) in ((x.astype(float), bounds["xaxis"]), (y.astype(float), bounds["yaxis"])):
                    if log:
                        ok &= arr > 0
                    if rng is not None:
                        with np.errstate(invalid="ignore"):
                            ok &= (arr >= rng[0]) & (arr <= rng[1])
                if ok.any():
                    visible = True
                    break
            if not visible:
                empty.append(params)
        return empty

    # -- static mode: the precomputed grid -------------------------------------------
    def static_spec(self) -> dict[str, Any]:
        """The static figure's grid: every combination of slider values, with each
        distinct array stored once. Sliders are thinned for the static page (every other
        value, keeping the ends and the start value): first, before the model runs, until
        there are at most :data:`MAX_STATIC_FRAMES` frames; then until the HTML really
        written (figure, grid, controls) fits ``static_budget_bytes``."""
        if self._static is None:
            budget = min(self.static_budget_bytes, MAX_STATIC_BYTES)
            cache: dict[tuple, list[dict[str, Any]]] = {}
            sliders = list(self.sliders)
            while math.prod(len(sl.values) for sl in sliders) > MAX_STATIC_FRAMES:
                sliders = self._thinner(sliders, f"{MAX_STATIC_FRAMES} frames")
            while True:
                spec = self._grid(sliders, cache)
                spec["html"] = self._page(spec)
                spec["bytes"] = len(spec["html"].encode("utf-8"))
                if spec["bytes"] <= budget:
                    break
                sliders = self._thinner(sliders, f"{budget} bytes (it needs {spec['bytes']})")
            spec["thinned"] = [a.name for a, b in zip(sliders, self.sliders) if len(a.values) < len(b.values)]
            self._static = spec
        return self._static

    @staticmethod
    def _thinner(sliders: list[Slider], limit: str) -> list[Slider]:
        widest = max(range(len(sliders)), key=lambda i: len(sliders[i].values))
        sl = sliders[widest]
        if len(sl.values) <= 2:
            raise ValueError(
                f"the static figure cannot fit {limit} even with 2 values per slider: "
                "return fewer points from the model, or raise static_budget_bytes"
            )
        keep = sorted({0, len(sl.values) - 1, sl.default_index, *range(0, len(sl.values), 2)})
        out = list(sliders)
        out[widest] = replace(sl, values=tuple(sl.values[i] for i in keep), default=sl.start)
        return out

    def _grid(self, sliders: list[Slider], cache: dict[tuple, list[dict[str, Any]]]) -> dict[str, Any]:
        names = [sl.name for sl in sliders]
        combos = list(itertools.product(*(sl.values for sl in sliders)))
        frames = []
        for combo in combos:
            if combo not in cache:
                cache[combo] = _curves(self.model, dict(zip(names, combo)))
            frames.append(cache[combo])
        first = [t["name"] for t in frames[0]]
        if any([t["name"] for t in f] != first for f in frames):
            raise ValueError("model must return the same curves, in the same order, for every parameter value")
        text: dict[int, str] = {}

        def as_json(values: np.ndarray) -> str:  # the same array object is often returned again
            key = id(values)
            if key not in text:
                text[key] = _numbers_json(values)
            return text[key]

        x_json = [[as_json(t["x"]) for t in f] for f in frames]
        y_json = [[as_json(t["y"]) for t in f] for f in frames]
        shared_x = [len({xs[i] for xs in x_json}) == 1 for i in range(len(first))]
        table: dict[str, int] = {}

        def ref(values_json: str) -> int:
            return table.setdefault(values_json, len(table))

        frame_refs = [
            [ref(ys[i]) if shared_x[i] else [ref(xs[i]), ref(ys[i])] for i in range(len(first))]
            for xs, ys in zip(x_json, y_json)
        ]
        titles = [self.title_at(dict(zip(names, combo))) for combo in combos]
        summaries = None if self.summary is None else [self._summary_at(dict(zip(names, combo))) for combo in combos]
        return {
            "sliders": sliders,
            "arrays_json": "[" + ",".join(table) + "]",
            "frames_json": json.dumps(frame_refs, separators=(",", ":")),
            "shared_x": [x_json[0][i] if shared else None for i, shared in enumerate(shared_x)],
            "titles": titles if len(set(titles)) > 1 else None,
            "summaries": summaries,
            "ranges": {
                "xaxis": _finite_range([t["x"] for f in frames for t in f], self.log_x),
                "yaxis": _finite_range([t["y"] for f in frames for t in f], self.log_y),
            },
        }

    def _static_figure(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """The plotly figure for the page: no template (the page applies the course's), no
        sliders (the page has its own controls), and no copy of any frame's y values."""
        sliders: list[Slider] = spec["sliders"]
        start = {sl.name: sl.start for sl in sliders}
        traces = _curves(self.model, start)
        layout = self._base_layout(spec["ranges"])
        layout.pop("template", None)
        layout["title"] = {"text": self.title_at(start)}
        data = []
        for trace, x_json in zip(traces, spec["shared_x"]):
            t = {k: v for k, v in trace.items() if k not in _UPDATED}
            t.setdefault("type", "scatter")
            t["x"] = json.loads(x_json) if x_json is not None else []
            t["y"] = []
            data.append(t)
        return {"data": data, "layout": layout}

    def _page(self, spec: Mapping[str, Any]) -> str:
        sliders: list[Slider] = spec["sliders"]
        figure = self._static_figure(spec)
        figure_json = pio.to_json(figure, validate=False, remove_uids=True, engine="json")
        shape = [len(s.values) for s in sliders]
        data = (
            '{"figure":' + figure_json
            + ',"shape":' + json.dumps(shape)
            + ',"arrays":' + spec["arrays_json"]
            + ',"frames":' + spec["frames_json"]
            + ',"titles":' + json.dumps(spec["titles"])
            + (',"summaries":' + json.dumps(spec["summaries"]) if spec["summaries"] else "")
            + "}"
        ).replace("</", "<\\/")
        k = 0
        for sl in sliders:  # the defaults' frame, row-major as the page script counts it
            k = k * len(sl.values) + sl.default_index
        return _page_html(data, sliders, _page_alt(data, k),  # (JSON reads the page's <\/ as </)
                          int(figure["layout"].get("height") or self.height))

    def static_figure_json(self) -> str:
        """The JSON the static page reads: the figure (no sliders, no template) plus the grid."""
        page = self.static_spec()["html"]
        start = page.index('type="application/json"')
        return page[page.index(">", start) + 1:page.index("</script>", start)]

    def to_html(self) -> str:
        """The figure as the static page gets it: labelled native controls, a plot box, a
        text alternative and the figure's JSON (at most ``static_budget_bytes``, all
        counted). plotly.js and the page script (``static/explorer.js``) are not included:
        the book serves each once per page (``scalelab.sphinxext``)."""
        return self.static_spec()["html"]

    # -- live mode: ipywidgets driving a FigureWidget --------------------------------
    def widget(self) -> Any:
        """ipywidgets sliders above a ``FigureWidget`` that the model updates in place."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as widgets

        self._figure_widget = go.FigureWidget(self.figure())
        controls = []
        for s in self.sliders:
            common = dict(description=s.text, continuous_update=True,
                          style={"description_width": "initial"}, layout={"width": "520px"})
            if s.is_uniform and len(s.values) > 1:
                step = s.values[1] - s.values[0]
                cls = widgets.IntSlider if s.is_integer else widgets.FloatSlider
                extra = {} if s.is_integer else {"readout_format": ".4g"}
                w = cls(min=s.values[0], max=s.values[-1], step=step, value=s.start, **common, **extra)
            else:
                w = widgets.SelectionSlider(options=[(f"{v:g}", v) for v in s.values], value=s.start, **common)
            w.observe(lambda change, name=s.name: self._on_change(name, change["new"]), names="value")
            controls.append(w)
        self._controls = controls
        self._params = self.defaults
        self._widget = widgets.VBox([*controls, self._figure_widget])
        return self._widget

    def _on_change(self, name: str, value: Any) -> None:
        self._params = {**self._params, name: value}
        self.update(**self._params)

    def update(self, **params: Any) -> None:
        """Run the model at ``params`` and update the live figure's traces in place."""
        if self._figure_widget is None:
            self.widget()
        full = {**self.defaults, **params}
        traces = self.curves(**full)
        fw = self._figure_widget
        with fw.batch_update():
            for trace, new in zip(fw.data, traces):
                trace.x = new["x"]
                trace.y = new["y"]
            if self.title_at(full) != self.title:
                fw.layout.title.text = self.title_at(full)

    # -- display -----------------------------------------------------------------------
    def __str__(self) -> str:
        spec = self.static_spec()
        parts = []
        for s in self.sliders:
            lo, hi = s.values[0], s.values[-1]
            parts.append(f"{s.name} {lo:g}..{hi:g} ({len(s.values)} values, start {s.start:g})")
        frames = math.prod(len(s.values) for s in spec["sliders"])
        thinned = f", thinned: {', '.join(spec['thinned'])}" if spec["thinned"] else ""
        size = spec["bytes"] / 1000
        return (f"Explorer {self.title or self.y_title!r}: {'; '.join(parts)}; "
                f"static grid {frames} frames, {size:.0f} kB{thinned}")

    __repr__ = __str__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _display_bundle(str(self), self.to_html(), self.widget, include, exclude)

    # -- benchmark ---------------------------------------------------------------------
    def time_updates(self, max_points: int = 200, min_samples: int = 100) -> np.ndarray:
        """Milliseconds per live update (model plus figure), over up to ``max_points``
        grid points spread evenly through the full slider grid, cycled until there are at
        least ``min_samples`` timings (so a small grid's p95 is not just its maximum).
        One untimed update first warms any caches. Both counts are whole numbers in
        [1, MAX_TIMED_UPDATES]."""
        max_points = _validate.count("max_points", max_points, MAX_TIMED_UPDATES)
        min_samples = _validate.count("min_samples", min_samples, MAX_TIMED_UPDATES)
        self.widget()
        combos = list(itertools.product(*(s.values for s in self.sliders)))
        picks = np.unique(np.linspace(0, len(combos) - 1, min(max_points, len(combos))).astype(int))
        names = [s.name for s in self.sliders]
        self.update(**dict(zip(names, combos[picks[-1]])))
        times = []
        while len(times) < max(min_samples, len(picks)):
            for i in picks:
                start = time.perf_counter()
                self.update(**dict(zip(names, combos[i])))
                times.append((time.perf_counter() - start) * 1000)
        self.update(**self.defaults)
        return np.asarray(times)


def _js_string(x: float) -> str:
    """A finite float as JavaScript's ``String(x)`` writes it (ECMA-262 Number::toString):
    the shortest digits that round-trip, in exponent form below 1e-6 and from 1e21."""
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _js_string(-x)
    _, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    ds, k = "".join(map(str, digits)), len(digits)
    n = int(exponent) + k  # the value is 0.ds x 10**n
    if k <= n <= 21:
        return ds + "0" * (n - k)
    if 0 < n <= 21:
        return ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + ds
    e = n - 1
    return (ds[0] + ("." + ds[1:] if k > 1 else "")) + ("e+" if e >= 0 else "e-") + str(abs(e))


def _say(value: Any) -> str:
    """A number as the text alternatives say it, three significant digits, exactly as the
    page script's ``String(+v.toPrecision(3))``: half-way cases of the exact binary value
    round up (1/32 says 0.0313), and the form is JavaScript's (4.04e-5 says 0.0000404)."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        v = float(value)
        if not math.isfinite(v):
            return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
        if v == 0:
            return "0"
        exact = Decimal(v)
        rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 2), rounding=ROUND_HALF_UP)
        return _js_string(float(rounded))
    return str(value)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _axis_key(ref: Any, letter: str) -> str:
    """A trace's axis reference as its layout key: "y2" -> "yaxis2"; none -> "yaxis"."""
    return f"{letter}axis" + (ref[1:] if isinstance(ref, str) and len(ref) > 1 else "")


def _same(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` for the JSON values a tick can hold."""
    if _is_number(a) and _is_number(b):
        return float(a) == float(b)
    return isinstance(a, str) and isinstance(b, str) and a == b


def _label(value: Any) -> str:
    """A tick label as the page script's ``String(label)`` writes it (in full, as the axis shows it)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if _is_number(value):
        return _js_string(float(value))
    return _strip_tags(str(value))


def _tick_say(axis: Mapping[str, Any] | None, value: Any) -> str:
    """A value as its axis says it: the tick's label where the axis names its ticks."""
    vals, text = (axis or {}).get("tickvals"), (axis or {}).get("ticktext")
    if vals and text:
        for v, t in zip(vals, text):
            if _same(v, value):
                return _label(t)
    return _say(value)


def _axis_text(layout: Mapping[str, Any], key: str) -> str:
    """An axis's title, or where it has none, its tick labels."""
    title = _title_text(layout.get(key, {}))
    if title:
        return _strip_tags(title)
    ticks = (layout.get(key) or {}).get("ticktext")
    return ", ".join(_label(t) for t in ticks) if ticks else ""


def _panel_title(layout: Mapping[str, Any], xk: str, yk: str) -> str:
    """The title over a subplot: an annotation centred on its top edge (as plotly's
    ``make_subplots`` writes subplot titles)."""
    if xk not in layout or yk not in layout:
        return ""
    xd = (layout.get(xk) or {}).get("domain") or [0, 1]
    yd = (layout.get(yk) or {}).get("domain") or [0, 1]
    for a in layout.get("annotations") or []:
        x, y = a.get("x"), a.get("y")
        if (a.get("xref") == "paper" and a.get("yref") == "paper" and a.get("text") and _is_number(x)
                and _is_number(y) and xd[0] <= x <= xd[1] and abs(y - yd[1]) < 1e-9):
            return _strip_tags(str(a["text"]))
    return ""


def _describe(title: str, layout: Mapping[str, Any], traces: Sequence[Mapping[str, Any]]) -> str:
    """The figure's text alternative: its title, axes and each curve's key numbers, each
    curve read through its own axes (tick labels where an axis names its ticks, the
    right-hand axis named, the panel named in a figure of several). It says what the page
    script (``describe`` in static/explorer.js) says for the same numbers, word for word: a
    point is described when its y is a finite number and its x is not missing (JSON's
    null: NaN or infinity); an unnamed curve left out of the legend (a lane, a guide) is
    not described."""
    overlay: dict[str, str] = {}  # an overlaying y axis -> what the text calls it
    panels: list[str] = []
    for t in traces:
        xk, yk = _axis_key(t.get("xaxis"), "x"), _axis_key(t.get("yaxis"), "y")
        x_over = (layout.get(xk) or {}).get("overlaying")
        if x_over:  # a second x axis over another shares its panel
            xk = _axis_key(x_over, "x")
        y_axis = layout.get(yk) or {}
        if y_axis.get("overlaying"):
            overlay.setdefault(yk, "right-hand axis" if y_axis.get("side") == "right" else "second left-hand axis")
        elif xk + yk not in panels:
            panels.append(xk + yk)

    def titled(letter: str) -> str:
        own = _axis_text(layout, f"{letter}axis")
        if own or len(panels) < 2:
            return own
        seen: list[str] = []
        for t in traces:
            k = _axis_key(t.get(f"{letter}axis"), letter)
            s = _axis_text(layout, k)
            if s and k not in overlay and s not in seen:
                seen.append(s)
        return seen[0] if len(seen) == 1 else ""

    parts = []
    if title:
        parts.append(f"{_strip_tags(title)}.")
    xt, yt = titled("x"), titled("y")
    seconds = [(said, s) for k, said in overlay.items() if (s := _axis_text(layout, k))]
    if xt or yt or seconds:
        vertical = yt or ("as each panel's title says" if len(panels) > 1 else "y")
        parts.append(f"Horizontal axis: {xt or 'x'}; vertical axis: {vertical}"
                     + "".join(f"; {said}: {s}" for said, s in seconds) + ".")
    for t in traces:
        if not t.get("name") and t.get("showlegend") is False:
            continue
        xk, yk = _axis_key(t.get("xaxis"), "x"), _axis_key(t.get("yaxis"), "y")
        xa, ya = layout.get(xk), layout.get(yk)
        name = str(t.get("name") or "curve")
        if yk in overlay:
            name += f" ({overlay[yk]})"
        elif len(panels) > 1:
            x_over = (xa or {}).get("overlaying")
            panel_x = _axis_key(x_over, "x") if x_over else xk
            name = f"{_panel_title(layout, panel_x, yk) or 'panel ' + (yk[5:] or '1')}, {name}"
        xs, ys, bases = list(t.get("x") or []), list(t.get("y") or []), t.get("base")

        def base_at(i: int, bases: Any = bases) -> float | None:
            b = (bases[i] if i < len(bases) else None) if isinstance(bases, list) else bases
            return b if _is_number(b) else None

        if bases is not None:  # a bar drawn up from a base (a band) ends at base + y
            ys = [y + base_at(i) if _is_number(y) and base_at(i) is not None else y for i, y in enumerate(ys)]
        pts = [i for i in range(len(ys)) if _is_number(ys[i]) and i < len(xs) and xs[i] is not None]
        if not pts:
            parts.append(f"{name}: nothing to draw here.")
            continue

        def sx(i: int) -> str:
            return _tick_say(xa, xs[i])

        def sy(i: int) -> str:
            return _tick_say(ya, ys[i])

        def say(i: int) -> str:
            return f"{sy(i)} at {sx(i)}"

        def full(i: int) -> str:  # a few points: each said whole, a band from its base
            b = base_at(i)
            return (f"{_tick_say(ya, b)} to " if b is not None else "") + say(i)

        if len(pts) <= 4:
            parts.append(f"{name}: {', '.join(full(i) for i in pts)}.")
            continue
        hi = lo = pts[0]
        for i in pts:
            hi = i if ys[i] > ys[hi] else hi
            lo = i if ys[i] < ys[lo] else lo
        if sy(hi) == sy(lo):
            parts.append(f"{name}: {sy(hi)} from {sx(pts[0])} to {sx(pts[-1])}.")
            continue
        parts.append(f"{name}: from {say(pts[0])} to {say(pts[-1])}; highest {say(hi)}, lowest {say(lo)}.")
    return " ".join(parts)


def _title_text(value: Any) -> str:
    """A layout title (or an axis's) as the page script reads it: a string or {text}."""
    if isinstance(value, Mapping):
        value = value["title"] if "title" in value else value.get("text")
    if isinstance(value, Mapping):
        value = value.get("text")
    return str(value) if value else ""


def _page_alt(data: str | Mapping[str, Any], k: int = 0) -> str:
    """The text alternative of frame ``k`` of a figure's page JSON, from the numbers the
    page holds (6 significant digits for an explorer's frames): what the page script
    writes when its controls are at that frame."""
    spec = json.loads(data) if isinstance(data, str) else data
    fig, arrays = spec["figure"], spec.get("arrays") or []
    layout = fig.get("layout", {})
    frames = spec.get("frames") or []
    refs = frames[k] if k < len(frames) else None
    traces = []
    for n, t in enumerate(fig.get("data", [])):
        x, y = t.get("x"), t.get("y")
        if refs:
            ref = refs[n]
            x, y = (arrays[ref[0]], arrays[ref[1]]) if isinstance(ref, list) else (x, arrays[ref])
        traces.append({"name": t.get("name"), "x": x, "y": y, "base": t.get("base"), "xaxis": t.get("xaxis"),
                       "yaxis": t.get("yaxis"), "showlegend": t.get("showlegend")})
    titles = spec.get("titles")
    title = titles[k] if titles else _title_text(layout.get("title"))
    if spec.get("summaries"):
        return _summarised(title, spec["summaries"][k])
    return _describe(title, layout, traces)


def _summarised(title: str, summary: str) -> str:
    """A text alternative from a model's own words (``explore(..., summary=...)``), as the
    page script's ``summarised`` writes it."""
    return (f"{_strip_tags(title)}. " if title else "") + summary


def _strip_tags(text: str) -> str:
    """Text as a listener hears it: a line break is a space, other markup is dropped (the
    twin of ``plain`` in explorer.js, which also writes the title above a plot)."""
    import re

    return re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE))


def _controls_html(div: str, sliders: Sequence[Slider]) -> str:
    rows = []
    for i, s in enumerate(sliders):
        cid = f"{div}-c{i}"
        labels = [s.shown(v) for v in s.values]
        start = s.default_index
        common = (f'id="{cid}" data-scalelab-control '
                  f'data-labels="{html.escape(json.dumps(labels), quote=True)}"')
        if 2 <= len(s.values) <= 4 and not s.is_uniform:
            options = "".join(f'<option value="{j}"{" selected" if j == start else ""}>{html.escape(t)}</option>'
                              for j, t in enumerate(labels))
            control = f"<select {common}>{options}</select>"
        else:
            control = (f'<input type="range" {common} min="0" max="{len(s.values) - 1}" step="1" '
                       f'value="{start}" aria-valuetext="{html.escape(labels[start], quote=True)}"'
                       f'{" disabled" if len(s.values) == 1 else ""}>')
        rows.append(f'<div class="scalelab-control"><label for="{cid}">{html.escape(s.text)}</label>'
                    f'{control}<output id="{cid}-value" for="{cid}" aria-hidden="true">'
                    f"{html.escape(labels[start])}</output></div>")
    return f'<div class="scalelab-controls">{"".join(rows)}</div>' if rows else ""


def _page_html(data: str, sliders: Sequence[Slider], alt: str, height: int) -> str:
    """Controls, the plot box and its text alternative, then the figure's JSON. The page
    script (served once per page) draws the figure when it comes near the viewport."""
    div = "scalelab-" + hashlib.sha1(data.encode()).hexdigest()[:12]
    return (
        f'<figure class="scalelab-explorer" id="{div}-box">'
        + _controls_html(div, sliders)
        + f'<div class="scalelab-figure" id="{div}" style="height:{height}px">'
        "<p class=\"scalelab-placeholder\">Interactive figure: it draws itself in the book's HTML pages, "
        "and in JupyterLab when you run this cell.</p></div>"
        f'<figcaption class="scalelab-alt" id="{div}-alt" aria-live="polite">{html.escape(alt)}</figcaption>'
        "</figure>\n"
        f'<script type="application/json" id="{div}-data">{data}</script>'
    )


@dataclass
class Shown:
    """A plain plotly figure displayed the same three ways as an explorer (no sliders).
    ``summary``, if given, is its text alternative after the title, in place of each curve's
    numbers (see :func:`show`)."""

    figure: go.Figure
    summary: str | None = None
    _html: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.figure, go.Figure):
            raise ValueError(f"figure must be a plotly.graph_objects.Figure, got {type(self.figure).__name__}")
        if self.summary is not None and (not isinstance(self.summary, str) or not self.summary.strip()):
            raise ValueError(f"summary must be text (a non-empty str) or None, got {_validate._show(self.summary)}")

    def __str__(self) -> str:
        title = self.figure.layout.title.text or ""
        return f"Figure {title!r}: {len(self.figure.data)} traces"

    __repr__ = __str__

    def to_html(self) -> str:
        """The figure as the static page gets it (no template: the page applies the course's)."""
        if self._html is None:
            fig = self.figure.to_plotly_json()
            layout = dict(fig.get("layout", {}))
            layout.pop("template", None)
            # plotly >= 6 writes numpy arrays as {"dtype", "bdata"}; plotly.js draws those,
            # but the text alternatives (here and in the page script) read plain lists.
            data_ = [_plain_xy(t, src) for t, src in zip(fig.get("data", []), self.figure.data)]
            fig_json = pio.to_json({"data": data_, "layout": layout},
                                   validate=False, remove_uids=True, engine="json")
            plain = ('{"figure":' + fig_json + ',"shape":[],"arrays":[],"frames":[],"titles":null'
                     + (',"summaries":' + json.dumps([self.summary]) if self.summary else "") + "}")
            data = plain.replace("</", "<\\/")
            try:
                alt = _page_alt(plain)
            except (TypeError, ValueError):
                alt = f"Figure: {self.figure.layout.title.text or ''}"
            self._html = _page_html(data, [], alt, int(layout.get("height") or 450))
        return self._html

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _display_bundle(str(self), self.to_html(), lambda: go.FigureWidget(self.figure), include, exclude)


def _display_bundle(text: str, html: str, live: Callable[[], Any], include: Any = None,
                   exclude: Any = None) -> dict[str, Any]:
    """What Jupyter displays for an explorer, a player or a shown figure: the text and the
    static page always, and unless ``SCALELAB_STATIC=1`` the live widget that ``live()``
    builds too (its own text/plain left out)."""
    bundle: dict[str, Any] = {"text/plain": text, "text/html": html}
    if os.environ.get(STATIC_ENV) != "1":
        view = live()._repr_mimebundle_(include=include, exclude=exclude)
        bundle.update({k: v for k, v in (view or {}).items() if k != "text/plain"})
    return bundle


def _plain_xy(trace: dict[str, Any], source: Any) -> dict[str, Any]:
    """``trace`` with its x and y as plain lists where plotly encoded them as binary."""
    out = dict(trace)
    for key in ("x", "y"):
        if isinstance(out.get(key), dict) and "bdata" in out[key]:
            out[key] = np.asarray(getattr(source, key)).tolist()
    return out


def title_over_legend(title: str, height: int) -> dict[str, Any]:
    """Layout for a figure with a long legend above its plot. In JupyterLab the title stands
    at the top and the legend under it, both placed in the container, so that plotly pushes
    the plot down by as many rows as the legend wraps to and nothing prints over the title at
    any width. The static page writes the title above the figure and moves such a legend up
    to the top.

    >>> title_over_legend("T", 500)["legend"]["y"]
    0.928
    """
    if not isinstance(title, str):
        raise ValueError(f"title must be a string, got {_validate._show(title)}")
    h = int(_validate.count("height", height, MAX_HEIGHT, low=MIN_HEIGHT))
    return {"title": {"text": title, "y": 1 - 10 / h, "yref": "container", "yanchor": "top"},
            "legend": {"orientation": "h", "x": 0, "yref": "container", "y": 1 - 36 / h, "yanchor": "top"},
            "margin": {"t": 40}, "height": h}


def show(figure: go.Figure, summary: str | None = None) -> Shown:
    """Display a plain plotly figure in all three modes (static page, live kernel, tests).

    Use it for figures without sliders, e.g. measured data; plotly's own renderers would
    either vanish from the built book or inline plotly.js into every page. Its static HTML
    is capped at :data:`MAX_STATIC_BYTES`, and it may use only the trace types of the
    book's plotly.js bundle (:data:`BUNDLE_TRACE_TYPES`). ``summary``, for a figure not
    read as y against x, says what it shows in words: the text alternative is then the
    title and these words, in place of each curve's numbers (as ``explore``'s).
    """
    if not isinstance(figure, go.Figure):
        raise ValueError(f"figure must be a plotly.graph_objects.Figure, got {type(figure).__name__}")
    kinds = sorted({t.type for t in figure.data} - set(BUNDLE_TRACE_TYPES))
    if kinds:
        raise ValueError(f"figure uses trace types {kinds}, which the book's plotly.js bundle lacks "
                         f"(it has {', '.join(BUNDLE_TRACE_TYPES)})")
    shown = Shown(figure, summary)
    size = len(shown.to_html().encode("utf-8"))
    if size > MAX_STATIC_BYTES:
        raise ValueError(f"figure's static HTML is {size} bytes, more than {MAX_STATIC_BYTES}: plot fewer points")
    return shown


def explore(model: Model, *, title: str = "", x_title: str = "", y_title: str = "",
            log_x: bool = False, log_y: bool = False, x_range: Sequence[float] | None = None,
            y_range: Sequence[float] | None = None, fixed_axes: bool = True, height: int = 420,
            layout: Mapping[str, Any] | None = None, static_budget_bytes: int = DEFAULT_STATIC_BUDGET,
            summary: Callable[..., str] | None = None, **sliders: Any) -> Explorer:
    """Make an interactive figure of ``model`` with one slider per keyword argument.

    Parameters
    ----------
    model : function of the slider names returning ``{curve name: (x, y)}`` (or a dict
        of plotly trace properties with ``x`` and ``y``), the same curves for every value.
    title : figure title; may name parameters, e.g. ``"s = {serial_fraction:.2f}"``.
    x_title, y_title, log_x, log_y : axis titles and log scales.
    x_range, y_range : fixed axis ranges in data units; by default the axes are fixed to
        what the whole grid spans, so curves move and axes stay still.
    fixed_axes : False lets plotly rescale the axes on every change.
    height : figure height in pixels, whole number in [MIN_HEIGHT, MAX_HEIGHT] = [100, 3000].
    static_budget_bytes : cap on the static figure's JSON (at most 1 MB); sliders are
        thinned for the static page, never for the live one, until it fits.
    summary : for a figure whose curves are not read as y against x (a ring drawn in x-y
        coordinates, say), a function of the slider names returning what the figure shows
        in words. The text alternative then says the title and these words, in place of
        each curve's numbers. None (the default): the curves' numbers.
    **sliders : ``name=(start, stop)``, ``(start, stop, step)``, ``(start, stop, step,
        default)``, a list of values, or :func:`slider` / :func:`choices`.
    """
    if not sliders:
        raise ValueError("explore needs at least one slider, e.g. serial_fraction=(0, 0.5, 0.01)")
    if isinstance(static_budget_bytes, (bool, np.bool_)) or not isinstance(static_budget_bytes, (int, np.integer)) \
            or not 1_000 <= static_budget_bytes <= MAX_STATIC_BYTES:
        raise ValueError(f"static_budget_bytes must be a whole number in [1000, {MAX_STATIC_BYTES}], "
                         f"got {_validate._show(static_budget_bytes)}")
    explorer = Explorer(
        model=model, sliders=[_as_slider(k, v) for k, v in sliders.items()], title=title,
        x_title=x_title, y_title=y_title, log_x=log_x, log_y=log_y, x_range=x_range,
        y_range=y_range, fixed_axes=fixed_axes, height=height, layout=dict(layout or {}),
        static_budget_bytes=static_budget_bytes, summary=summary,
    )
    grid = math.prod(len(s.values) for s in explorer.sliders)
    if grid > MAX_GRID_POINTS:
        raise ValueError(f"explore's sliders may span at most {MAX_GRID_POINTS} combinations, got {grid}")
    _curves(model, explorer.defaults, need_finite=True)  # fail early, in the calling cell, if the model is broken
    explorer.title_at(explorer.defaults)  # and if the title names a parameter that is not a slider
    explorer._summary_at(explorer.defaults)  # and if the summary does not say anything
    _REGISTRY.append(explorer)
    return explorer
