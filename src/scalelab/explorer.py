"""One interactive figure, three ways to read it: ``explore(model, **sliders)``.

A chapter hands ``explore`` a *model* (a function of named parameters that returns the
curves to draw) and a range for each parameter. The result displays as:

* **Static HTML** (the built book, no Python running): a plotly figure whose own
  sliders move through a precomputed grid of every combination of slider values. A few
  lines of inline JavaScript keep all sliders' values, so moving one keeps the others.
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
import itertools
import json
import math
import os
import string
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["explore", "show", "slider", "choices", "Slider", "Explorer", "Shown", "STATIC_ENV", "registered"]

#: Set to "1" (the book build does, through ``scalelab.sphinxext``) to display only the
#: static figure: no widgets are created, so no widget state is saved into the page.
STATIC_ENV = "SCALELAB_STATIC"

#: Default and hard limits for one figure's static JSON (the precomputed grid).
DEFAULT_STATIC_BUDGET = 350_000
MAX_STATIC_BYTES = 1_000_000

Model = Callable[..., Mapping[str, Any]]


# --- Sliders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """One parameter's slider: the values it can take, where it starts, and its label."""

    values: tuple[float, ...]
    default: float | None = None
    label: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if len(self.values) < 1:
            raise ValueError(f"slider {self.name or ''} needs at least one value".replace("  ", " "))

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
        return self.label or self.name

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


def slider(start: float, stop: float, step: float | None = None, *, default: float | None = None,
           label: str | None = None) -> Slider:
    """A slider over ``start, start + step, ..., stop`` (step 1 if omitted), both ends included.

    >>> slider(1, 3).values
    (1, 2, 3)
    >>> slider(0, 0.3, 0.1).values
    (0.0, 0.1, 0.2, 0.3)
    """
    step = 1 if step is None else step
    if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(step)):
        raise ValueError(f"slider bounds must be finite, got start={start}, stop={stop}, step={step}")
    if step <= 0:
        raise ValueError(f"slider step must be > 0, got {step}")
    if stop < start:
        raise ValueError(f"slider stop must be >= start, got start={start}, stop={stop}")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    values = [_tidy(start + i * step) for i in range(count)]
    if all(isinstance(v, int) for v in (start, stop, step)):
        values = [int(v) for v in values]
    elif any(isinstance(v, float) for v in (start, stop, step)):
        values = [float(v) for v in values]
    return Slider(tuple(values), default, label)


def choices(values: Sequence[float], *, default: float | None = None, label: str | None = None) -> Slider:
    """A slider over an explicit list of values (e.g. powers of two).

    >>> choices([1, 2, 4, 8], default=4).start
    4
    """
    vals = tuple(_tidy(v) for v in values)
    if not vals:
        raise ValueError("choices needs at least one value")
    return Slider(vals, default, label)


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


def _curves(model: Model, params: Mapping[str, Any]) -> list[dict[str, Any]]:
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
        trace.setdefault("name", str(name))
        for key in _UPDATED:
            trace[key] = np.atleast_1d(np.asarray(trace[key]))
        traces.append(trace)
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
    _static: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _static_json: str | None = field(default=None, init=False, repr=False)
    _widget: Any = field(default=None, init=False, repr=False)
    _figure_widget: Any = field(default=None, init=False, repr=False)

    # -- the model at one point of the grid -----------------------------------------
    @property
    def defaults(self) -> dict[str, Any]:
        return {s.name: s.start for s in self.sliders}

    def curves(self, **params: Any) -> list[dict[str, Any]]:
        """The model's curves at ``params`` (missing ones take their slider's start value)."""
        return _curves(self.model, {**self.defaults, **params})

    def title_at(self, params: Mapping[str, Any]) -> str:
        if not self.title or not any(f for _, f, _, _ in string.Formatter().parse(self.title)):
            return self.title
        return self.title.format(**params)

    def _base_layout(self) -> dict[str, Any]:
        layout: dict[str, Any] = {
            "title": {"text": self.title_at(self.defaults)},
            "xaxis": {"title": {"text": self.x_title}, "type": "log" if self.log_x else "linear"},
            "yaxis": {"title": {"text": self.y_title}, "type": "log" if self.log_y else "linear"},
            "template": "plotly_white",
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
            "margin": {"l": 60, "r": 20, "t": 80, "b": 60},
            "height": self.height,
        }
        ranges = self.static_spec()["ranges"] if self.fixed_axes else {}
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
        value, keeping the ends and the start value) until the JSON fits the budget."""
        if self._static is None:
            budget = min(self.static_budget_bytes, MAX_STATIC_BYTES)
            cache: dict[tuple, list[dict[str, Any]]] = {}
            sliders = list(self.sliders)
            while True:
                spec = self._grid(sliders, cache)
                if spec["bytes"] <= 0.9 * budget:
                    break
                widest = max(range(len(sliders)), key=lambda i: len(sliders[i].values))
                sl = sliders[widest]
                if len(sl.values) <= 2:
                    raise ValueError(
                        f"the static figure cannot fit {budget} bytes even with 2 values per slider: "
                        "return fewer points from the model, or raise static_budget_bytes"
                    )
                keep = sorted({0, len(sl.values) - 1, sl.default_index, *range(0, len(sl.values), 2)})
                sliders[widest] = replace(sl, values=tuple(sl.values[i] for i in keep), default=sl.start)
            spec["thinned"] = [a.name for a, b in zip(sliders, self.sliders) if len(a.values) < len(b.values)]
            self._static = spec
        return self._static

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
        table: dict[str, int] = {}

        def ref(values: np.ndarray) -> int:
            return table.setdefault(_numbers_json(values), len(table))

        x_refs = [[ref(t["x"]) for t in f] for f in frames]
        y_refs = [[ref(t["y"]) for t in f] for f in frames]
        shared_x = [len({xs[i] for xs in x_refs}) == 1 for i in range(len(first))]
        frame_refs = [
            [ys[i] if shared_x[i] else [xs[i], ys[i]] for i in range(len(first))]
            for xs, ys in zip(x_refs, y_refs)
        ]
        arrays_json = "[" + ",".join(table) + "]"
        frames_json = json.dumps(frame_refs, separators=(",", ":"))
        titles = [self.title_at(dict(zip(names, combo))) for combo in combos]
        return {
            "sliders": sliders,
            "arrays_json": arrays_json,
            "frames_json": frames_json,
            "titles": titles if len(set(titles)) > 1 else None,
            "bytes": len(arrays_json) + len(frames_json) + sum(len(t) + 3 for t in titles),
            "ranges": {
                "xaxis": _finite_range([t["x"] for f in frames for t in f], self.log_x),
                "yaxis": _finite_range([t["y"] for f in frames for t in f], self.log_y),
            },
        }

    def static_figure_json(self) -> str:
        """The JSON the static page reads: a plotly figure with ``layout.sliders`` plus the grid."""
        if self._static_json is None:
            self._static_json = self._build_static_json()
        return self._static_json

    def _build_static_json(self) -> str:
        spec = self.static_spec()
        sliders: list[Slider] = spec["sliders"]
        fig = self.figure().to_plotly_json()
        layout = fig["layout"]
        row = 80
        layout["height"] = self.height + row * len(sliders)
        layout["margin"] = {**layout.get("margin", {}), "b": 70 + row * len(sliders)}
        plot_h = layout["height"] - layout["margin"].get("t", 80) - layout["margin"]["b"]
        layout["sliders"] = [
            {
                "name": s.name,
                "active": s.default_index,
                "currentvalue": {"prefix": f"{s.text} = ", "font": {"size": 13}},
                "pad": {"t": 0, "b": 0},
                "x": 0.0, "len": 1.0, "xanchor": "left",
                "y": -(60 + row * i) / plot_h, "yanchor": "top",
                "steps": [{"label": f"{v:g}", "method": "skip", "args": [], "value": f"{v:g}"} for v in s.values],
            }
            for i, s in enumerate(sliders)
        ]
        figure_json = pio.to_json(fig, validate=False, remove_uids=True, engine="json")
        shape = [len(s.values) for s in sliders]
        text = (
            '{"figure":' + figure_json
            + ',"shape":' + json.dumps(shape)
            + ',"arrays":' + spec["arrays_json"]
            + ',"frames":' + spec["frames_json"]
            + ',"titles":' + json.dumps(spec["titles"])
            + "}"
        )
        return text.replace("</", "<\\/")

    def to_html(self) -> str:
        """Self-contained HTML: a div, the figure JSON and a few lines of JavaScript.

        plotly.js itself is not included: the book serves it once for every page.
        """
        data = self.static_figure_json()
        if len(data) > MAX_STATIC_BYTES:
            raise ValueError(f"static figure JSON is {len(data)} bytes, more than {MAX_STATIC_BYTES}")
        return _page_html(data)

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
        size = len(self.static_figure_json()) / 1000
        return (f"Explorer {self.title or self.y_title!r}: {'; '.join(parts)}; "
                f"static grid {frames} frames, {size:.0f} kB{thinned}")

    __repr__ = __str__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": str(self), "text/html": self.to_html()}
        if os.environ.get(STATIC_ENV) != "1":
            view = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
            if view:
                bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    # -- benchmark ---------------------------------------------------------------------
    def time_updates(self, max_points: int = 200, min_samples: int = 100) -> np.ndarray:
        """Milliseconds per live update (model plus figure), over up to ``max_points``
        grid points spread evenly through the full slider grid, cycled until there are at
        least ``min_samples`` timings (so a small grid's p95 is not just its maximum).
        One untimed update first warms any caches."""
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


def _page_html(data: str) -> str:
    """A div, the figure JSON and the script that draws it once plotly.js is on the page."""
    div = "scalelab-" + hashlib.sha1(data.encode()).hexdigest()[:12]
    return (
        f'<div class="scalelab-figure" id="{div}">'
        "<p><em>Interactive figure: it draws itself in the book's HTML pages, "
        "and in JupyterLab when you run this cell.</em></p></div>\n"
        f'<script type="application/json" id="{div}-data">{data}</script>\n'
        f"<script>{_STATIC_JS}({json.dumps(div)});</script>"
    )


@dataclass
class Shown:
    """A plain plotly figure displayed the same three ways as an explorer (no sliders)."""

    figure: go.Figure

    def __str__(self) -> str:
        title = self.figure.layout.title.text or ""
        return f"Figure {title!r}: {len(self.figure.data)} traces"

    __repr__ = __str__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        fig_json = pio.to_json(self.figure, validate=False, remove_uids=True, engine="json")
        data = ('{"figure":' + fig_json + ',"shape":[],"arrays":[],"frames":[],"titles":null}').replace("</", "<\\/")
        bundle: dict[str, Any] = {"text/plain": str(self), "text/html": _page_html(data)}
        if os.environ.get(STATIC_ENV) != "1":
            view = go.FigureWidget(self.figure)._repr_mimebundle_(include=include, exclude=exclude)
            bundle.update({k: v for k, v in (view or {}).items() if k != "text/plain"})
        return bundle


def show(figure: go.Figure) -> Shown:
    """Display a plain plotly figure in all three modes (static page, live kernel, tests).

    Use it for figures without sliders, e.g. measured data; plotly's own renderers would
    either vanish from the built book or inline plotly.js into every page.
    """
    if not isinstance(figure, go.Figure):
        raise ValueError(f"figure must be a plotly.graph_objects.Figure, got {type(figure).__name__}")
    return Shown(figure)


def explore(model: Model, *, title: str = "", x_title: str = "", y_title: str = "",
            log_x: bool = False, log_y: bool = False, x_range: Sequence[float] | None = None,
            y_range: Sequence[float] | None = None, fixed_axes: bool = True, height: int = 420,
            layout: Mapping[str, Any] | None = None, static_budget_bytes: int = DEFAULT_STATIC_BUDGET,
            **sliders: Any) -> Explorer:
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
    static_budget_bytes : cap on the static figure's JSON (at most 1 MB); sliders are
        thinned for the static page, never for the live one, until it fits.
    **sliders : ``name=(start, stop)``, ``(start, stop, step)``, ``(start, stop, step,
        default)``, a list of values, or :func:`slider` / :func:`choices`.
    """
    if not sliders:
        raise ValueError("explore needs at least one slider, e.g. serial_fraction=(0, 0.5, 0.01)")
    if not 1_000 <= static_budget_bytes <= MAX_STATIC_BYTES:
        raise ValueError(f"static_budget_bytes must be in [1000, {MAX_STATIC_BYTES}], got {static_budget_bytes}")
    explorer = Explorer(
        model=model, sliders=[_as_slider(k, v) for k, v in sliders.items()], title=title,
        x_title=x_title, y_title=y_title, log_x=log_x, log_y=log_y, x_range=x_range,
        y_range=y_range, fixed_axes=fixed_axes, height=height, layout=dict(layout or {}),
        static_budget_bytes=static_budget_bytes,
    )
    explorer.curves()  # fail early, in the calling cell, if the model is broken
    _REGISTRY.append(explorer)
    return explorer


# The page-side half of static mode. It waits for plotly.js (served once by the book),
# draws the figure, and on any slider change looks up the frame for the combination of
# *all* sliders' positions, then restyles the traces in place.
_STATIC_JS = (
    "(function(id){var tries=0;function go(){var el=document.getElementById(id);"
    "if(!el)return;if(!window.Plotly){if(tries++<200)setTimeout(go,50);return;}"
    "var spec=JSON.parse(document.getElementById(id+'-data').textContent);"
    "var fig=spec.figure,lay=fig.layout,sl=lay.sliders||[],pos=sl.map(function(s){return s.active;});"
    "var names=sl.map(function(s){return s.name;});el.innerHTML='';"
    "Plotly.newPlot(el,fig.data,lay,{responsive:true,displaylogo:false}).then(function(gd){"
    "gd.on('plotly_sliderchange',function(e){var i=names.indexOf(e.slider.name);if(i<0)return;"
    "pos[i]=e.step._index;var k=0;for(var j=0;j<pos.length;j++)k=k*spec.shape[j]+pos[j];"
    "var A=spec.arrays,f=spec.frames[k],xs=[],ys=[],idx=[];f.forEach(function(t,n){idx.push(n);"
    "if(Array.isArray(t)){xs.push(A[t[0]]);ys.push(A[t[1]]);}else{xs.push(gd.data[n].x);ys.push(A[t]);}});"
    "Plotly.restyle(gd,{x:xs,y:ys},idx);var upd={};"
    "pos.forEach(function(p,j){upd['sliders['+j+'].active']=p;});"
    "if(spec.titles)upd['title.text']=spec.titles[k];Plotly.relayout(gd,upd);"
    "el.setAttribute('data-frame',k);});});}"
    "if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',go);else go();})"
)
