"""Step through a recorded protocol run: ``play(protocol, **fault_controls)``.

A sibling of :func:`scalelab.explore`. ``play`` takes a function that returns a
:class:`scalelab.runs.Run` and, for each fault control, the values it can take; it
displays a space-time diagram (one lane per node, simulated time across, an arrow per
message from send to delivery, a cross where one was dropped, timers, crashes and
invariant violations marked) three ways:

* **Static HTML** (the built book): native step buttons (first, back, play, forward,
  last; the arrow keys step when the player has focus), a labelled step slider and one
  labelled ``<select>`` per fault control, switching between runs precomputed for every
  combination (at most :data:`DEFAULT_STATIC_BUDGET` bytes of data per player: a bigger
  one is refused, saying how big it is). A text alternative under the diagram says the
  current event, every node's state and the checker's verdict, updated on each step. The
  page script ``scalelab/static/player.js`` (served once per page by
  ``scalelab.sphinxext``) draws the diagram when it nears the viewport and makes one
  plotly call per step.
* **Live kernel**: the same controls as ipywidgets over a ``FigureWidget``, plus "drop
  message" and "crash node" controls that re-run the protocol from the current variant
  with that fault added (a fork: the original run is kept, and a toggle switches back).
* **Tests**: a deterministic text trace of the first variant, one line per event.

>>> from scalelab.failures import payment_run
>>> p = play(payment_run, idempotency_keys=[False, True], drop={"nothing": (), "the first reply (m2)": (2,)})
>>> print(str(p).splitlines()[0])
Player 'Payment retry, without idempotency keys': idempotency_keys (2 values), drop (2 values); 4 runs, ...
"""

from __future__ import annotations

import hashlib
import html
import inspect
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import plotly.graph_objects as go

from .explorer import _display_bundle, _readable
from .palette import BLUE, GREEN, ORANGE, PURPLE, RED, TEMPLATE
from .runs import Run

__all__ = ["play", "Player", "DEFAULT_STATIC_BUDGET", "MAX_VARIANTS"]

#: Most bytes of static HTML (data and controls) one player may write into the page.
DEFAULT_STATIC_BUDGET = 300_000
#: Most precomputed runs (combinations of fault-control values) one player may hold.
MAX_VARIANTS = 64

KIND_CODE = {"send": 0, "deliver": 1, "drop": 2, "timer": 3, "crash": 4, "restart": 5, "state": 6}
SYMBOLS = {"send": "circle", "deliver": "circle", "drop": "x", "timer": "hourglass", "crash": "x-thin-open",
           "restart": "star", "state": "diamond"}
COLORS = {"send": BLUE, "deliver": BLUE, "drop": RED, "timer": PURPLE, "crash": RED,
          "restart": GREEN, "state": ORANGE}

_REGISTRY: list["Player"] = []


def registered() -> list["Player"]:
    """Every player made in this process, oldest first (used by ``make bench``)."""
    return list(_REGISTRY)


@dataclass(frozen=True)
class Control:
    """One fault control: its name (the protocol's keyword), labels and values."""

    name: str
    labels: tuple[str, ...]
    values: tuple[Any, ...]


def _as_control(name: str, spec: Any) -> Control:
    if isinstance(spec, Mapping):
        labels, values = tuple(str(k) for k in spec), tuple(spec.values())
    elif isinstance(spec, (list, tuple)):
        values = tuple(spec)
        labels = tuple(("on" if v else "off") if isinstance(v, bool) else str(v) for v in values)
    else:
        raise ValueError(f"control {name} must be a list of values or a {{label: value}} dict, got {spec!r}")
    if not 1 <= len(values) <= 16:
        raise ValueError(f"control {name} must have 1 to 16 values, got {len(values)}")
    return Control(name, labels, values)


# --- the figure, built the same way in Python (live) and JavaScript (static) ----------


def _send_index(run: Run) -> dict[int, int]:
    return {e.mid: e.index for e in run.events if e.kind == "send"}


def diagram(run: Run, step: int | None = None) -> go.Figure:
    """The space-time diagram of ``run`` showing events ``0..step`` (all by default)."""
    events = run.events
    k = len(events) - 1 if step is None else max(-1, min(step, len(events) - 1))
    lane = {n: i for i, n in enumerate(run.nodes)}
    sends = _send_index(run)
    mx, my, dx, dy = [], [], [], []
    for e in events[: k + 1]:
        if e.kind in ("deliver", "drop") and e.mid in sends:
            s = events[sends[e.mid]]
            if e.kind == "deliver":
                mx += [s.time_s, e.time_s, None]
                my += [lane[s.node], lane[e.node], None]
            else:
                mx_mid = (s.time_s + e.time_s) / 2
                dx += [s.time_s, mx_mid, None]
                dy += [lane[s.node], (lane[s.node] + lane[e.node]) / 2, None]
    shown = events[: k + 1]
    bad = {i: v.text for v in run.violations for i in v.events}
    traces = [
        go.Scatter(x=mx, y=my, mode="lines+markers", name="message delivered", hoverinfo="skip",
                   line={"color": BLUE, "width": 1.5},
                   marker={"symbol": "arrow", "angleref": "previous", "size": 11, "color": BLUE}),
        go.Scatter(x=dx, y=dy, mode="lines", name="message dropped", hoverinfo="skip",
                   line={"color": RED, "width": 1.5, "dash": "dot"}),
        go.Scatter(x=[(events[sends[e.mid]].time_s + e.time_s) / 2 for e in shown if e.kind == "drop" and e.mid in sends],
                   y=[(lane[events[sends[e.mid]].node] + lane[e.node]) / 2 for e in shown
                      if e.kind == "drop" and e.mid in sends],
                   mode="markers", name="drop", hoverinfo="skip", showlegend=False,
                   marker={"symbol": "x", "size": 12, "color": RED}),
        go.Scatter(x=[e.time_s for e in shown], y=[lane[e.node] for e in shown], mode="markers", name="events",
                   showlegend=False, text=[_hover(e, bad) for e in shown], hoverinfo="text",
                   marker={"symbol": [SYMBOLS[e.kind] for e in shown], "size": 9,
                           "color": [COLORS[e.kind] for e in shown]}),
        go.Scatter(x=[e.time_s for e in shown if e.index in bad], y=[lane[e.node] for e in shown if e.index in bad],
                   mode="markers", name="invariant violated", hoverinfo="skip",
                   marker={"symbol": "circle-open", "size": 20, "color": RED, "line": {"width": 3}}),
        go.Scatter(x=[events[k].time_s] if k >= 0 else [], y=[lane[events[k].node]] if k >= 0 else [],
                   mode="markers", name="current step", hoverinfo="skip",
                   marker={"symbol": "square-open", "size": 18, "color": GREEN, "line": {"width": 2}}),
    ]
    return go.Figure(traces, _layout(run, k))


def _hover(e, bad: Mapping[int, str]) -> str:
    text = html.escape(e.line())
    if e.state:
        text += "<br>" + html.escape(f"{e.node}: {e.state}")
    if e.index in bad:
        text += "<br><b>" + html.escape(bad[e.index]) + "</b>"
    return text


def _layout(run: Run, k: int) -> dict[str, Any]:
    end = max([e.time_s for e in run.events] or [run.until_s])
    return {
        "title": {"text": _caption_title(run, k)},
        "xaxis": {"title": {"text": "simulated time (s)"}, "range": [-0.02 * end, end * 1.04 + 1e-3]},
        "yaxis": {"tickvals": list(range(len(run.nodes))), "ticktext": list(run.nodes),
                  "range": [len(run.nodes) - 0.5, -0.5], "zeroline": False},
        "height": 160 + 60 * len(run.nodes),
        "margin": {"l": 70, "r": 20, "t": 60, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        "template": TEMPLATE,
    }


def _caption_title(run: Run, k: int) -> str:
    return f"{run.title}: step {k + 1} of {len(run.events)}"


def describe(run: Run, step: int) -> str:
    """The text alternative at ``step``: the event, each node's state, the verdict so far."""
    k = max(0, min(step, len(run.events) - 1))
    if not run.events:
        return f"{run.title}: nothing happened."
    e = run.events[k]
    states = run.states(k)
    parts = [f"{_caption_title(run, k)}.", f"Event {e.line()}.",
             "State: " + "; ".join(f"{n}: {states[n] or '-'}" for n in run.nodes) + "."]
    seen = [v.text for v in run.violations if max(v.events) <= k]
    if seen:
        parts.append("Checker: " + "; ".join(seen) + ".")
    elif k == len(run.events) - 1:
        parts.append("Checker: no invariant violated.")
    return " ".join(parts)


# --- the static page's data --------------------------------------------------------------


def _run_data(run: Run) -> dict[str, Any]:
    lane = {n: i for i, n in enumerate(run.nodes)}
    return {
        "title": run.title,
        "nodes": list(run.nodes),
        "events": [[round(e.time_s, 6), KIND_CODE[e.kind], lane[e.node], -1 if e.peer is None else lane[e.peer],
                    e.mid or 0, e.label, e.state] for e in run.events],
        "violations": [[v.text, list(v.events)] for v in run.violations],
        "truncated": run.truncated,
    }


@dataclass
class Player:
    """A run player; see :func:`play`."""

    protocol: Callable[..., Run]
    controls: list[Control]
    fixed: dict[str, Any] = field(default_factory=dict)
    static_budget_bytes: int = DEFAULT_STATIC_BUDGET
    _runs: dict[tuple[int, ...], Run] = field(default_factory=dict, init=False, repr=False)
    _html: str | None = field(default=None, init=False, repr=False)
    _widget: Any = field(default=None, init=False, repr=False)

    def params(self, position: tuple[int, ...]) -> dict[str, Any]:
        return {**self.fixed, **{c.name: c.values[i] for c, i in zip(self.controls, position)}}

    def positions(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(len(c.values)) for c in self.controls)))

    def run_at(self, position: tuple[int, ...]) -> Run:
        """The run for the controls at ``position`` (indices into each control's values)."""
        if position not in self._runs:
            run = self.protocol(**self.params(position))
            if not isinstance(run, Run):
                raise ValueError(f"protocol must return a scalelab.runs.Run, got {type(run).__name__}")
            self._runs[position] = run
        return self._runs[position]

    # -- static -------------------------------------------------------------------------
    def to_html(self) -> str:
        """Controls, the diagram's box, its text alternative and every variant's run as JSON
        (at most ``static_budget_bytes``, all counted). plotly.js and the page script are
        served once per page by the book (``scalelab.sphinxext``)."""
        if self._html is None:
            runs = [self.run_at(p) for p in self.positions()]
            table: dict[str, int] = {}
            refs = []
            for r in runs:
                text = json.dumps(_run_data(r), separators=(",", ":"))
                refs.append(table.setdefault(text, len(table)))
            data = ('{"shape":' + json.dumps([len(c.values) for c in self.controls])
                    + ',"runs":[' + ",".join(table) + '],"variants":' + json.dumps(refs) + "}").replace("</", "<\\/")
            first = runs[0]
            page = _page_html(data, self.controls, describe(first, 0), 160 + 60 * len(first.nodes))
            size = len(page.encode("utf-8"))
            if size > self.static_budget_bytes:
                raise ValueError(f"the player's static HTML is {size} bytes, more than static_budget_bytes="
                                 f"{self.static_budget_bytes}: give fewer control values, or a shorter run")
            self._html = page
        return self._html

    @property
    def static_bytes(self) -> int:
        return len(self.to_html().encode("utf-8"))

    # -- tests --------------------------------------------------------------------------
    def __str__(self) -> str:
        first = self.run_at(self.positions()[0])
        ctl = ", ".join(f"{c.name} ({len(c.values)} values)" for c in self.controls) or "no controls"
        head = (f"Player {first.title!r}: {ctl}; {len(self.positions())} runs, "
                f"{self.static_bytes / 1000:.0f} kB")
        return head + "\n" + first.trace()

    __repr__ = __str__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _display_bundle(str(self), self.to_html(), self.widget, include, exclude)

    # -- live ---------------------------------------------------------------------------
    def widget(self) -> Any:
        """ipywidgets controls over a FigureWidget: fault controls, step controls, and a
        fork (drop a message or crash a node, re-run; the original kept)."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as widgets

        self._position = self.positions()[0]
        self._fork: Run | None = None
        self._showing_fork = False
        run = self.run_at(self._position)
        self._fw = go.FigureWidget(diagram(run, 0))
        style = {"description_width": "initial"}
        self._selects = []
        for i, c in enumerate(self.controls):
            w = widgets.Dropdown(options=[(lab, j) for j, lab in enumerate(c.labels)], value=0,
                                 description=_readable(c.name), style=style)
            w.observe(lambda ch, i=i: self._on_control(i, ch["new"]), names="value")
            self._selects.append(w)
        self._step = widgets.IntSlider(min=0, max=max(0, len(run.events) - 1), value=0, description="step",
                                       style=style, layout={"width": "520px"})
        self._step.observe(lambda ch: self.show_step(ch["new"]), names="value")
        self._play = widgets.Play(min=0, max=self._step.max, interval=400, description="play")
        widgets.jslink((self._play, "value"), (self._step, "value"))
        buttons = []
        for text, fn in (("first", lambda: 0), ("back", lambda: self._step.value - 1),
                         ("forward", lambda: self._step.value + 1), ("last", lambda: self._step.max)):
            b = widgets.Button(description=text, layout={"width": "80px"})
            b.on_click(lambda _b, fn=fn: setattr(self._step, "value", max(0, min(self._step.max, fn()))))
            buttons.append(b)
        self._alt = widgets.HTML(html.escape(describe(run, 0)))
        accepts = inspect.signature(self.protocol).parameters
        fork_row = []
        if "drop" in accepts:
            self._drop_pick = widgets.Dropdown(options=self._message_options(run), description="drop message",
                                               style=style)
            go_drop = widgets.Button(description="re-run with it dropped")
            go_drop.on_click(lambda _b: self.fork(drop=self._drop_pick.value))
            fork_row += [self._drop_pick, go_drop]
        if "crashes" in accepts:
            self._crash_pick = widgets.Dropdown(options=list(run.nodes), description="crash node", style=style)
            self._crash_at = widgets.FloatText(value=0.05, description="at (s)", layout={"width": "160px"})
            go_crash = widgets.Button(description="re-run with the crash")
            go_crash.on_click(lambda _b: self.fork(crash=(self._crash_pick.value, self._crash_at.value)))
            fork_row += [self._crash_pick, self._crash_at, go_crash]
        self._which = widgets.ToggleButtons(options=["original", "fork"], value="original", disabled=True,
                                            description="run")
        self._which.observe(lambda ch: self._switch(ch["new"] == "fork"), names="value")
        self._widget = widgets.VBox([
            widgets.HBox(self._selects), widgets.HBox([*buttons, self._play, self._step]),
            widgets.HBox(fork_row), self._which, self._fw, self._alt])
        return self._widget

    @staticmethod
    def _message_options(run: Run) -> list[tuple[str, int]]:
        return [(f"m{m}: {text}", m) for m, text in run.messages().items()] or [("(no messages)", 0)]

    def current(self) -> Run:
        """The run the live player shows now (the fork when it is selected)."""
        if self._widget is None:
            self.widget()
        return self._fork if self._showing_fork and self._fork is not None else self.run_at(self._position)

    def _on_control(self, i: int, value: int) -> None:
        pos = list(self._position)
        pos[i] = value
        self._position = tuple(pos)
        self._showing_fork = False
        self._which.value = "original"
        self._reset()

    def _switch(self, to_fork: bool) -> None:
        self._showing_fork = to_fork
        self._reset()

    def _reset(self) -> None:
        run = self.current()
        self._step.max = max(0, len(run.events) - 1)
        self._play.max = self._step.max
        if hasattr(self, "_drop_pick"):
            self._drop_pick.options = self._message_options(run)
        if self._step.value != 0:
            self._step.value = 0  # shows step 0 through the observer
        else:
            self.show_step(0)

    def show_step(self, step: int) -> None:
        """Show events ``0..step`` of the current run in the live figure (one batch update)."""
        run = self.current()
        fig = diagram(run, step)
        with self._fw.batch_update():
            for trace, new in zip(self._fw.data, fig.data):
                trace.x, trace.y = new.x, new.y
                if new.text is not None:
                    trace.text = new.text
                    trace.marker.symbol = new.marker.symbol
                    trace.marker.color = new.marker.color
            self._fw.layout.title.text = fig.layout.title.text
            self._fw.layout.xaxis.range = fig.layout.xaxis.range
            self._fw.layout.yaxis.tickvals = fig.layout.yaxis.tickvals
            self._fw.layout.yaxis.ticktext = fig.layout.yaxis.ticktext
        self._alt.value = html.escape(describe(run, step))

    def fork(self, drop: int | None = None, crash: tuple[str, float] | None = None) -> Run:
        """Re-run the current variant with message ``drop`` dropped, or ``crash=(node,
        at_s)`` crashed (it stays down); the original run is kept, the fork is shown."""
        if self._widget is None:
            self.widget()
        params = self.params(self._position)
        if drop:
            params["drop"] = tuple(sorted({*tuple(params.get("drop") or ()), int(drop)}))
        if crash is not None:
            params["crashes"] = (*tuple(params.get("crashes") or ()), (crash[0], float(crash[1]), None))
        self._fork = self.protocol(**params)
        self._which.disabled = False
        if self._which.value != "fork":
            self._which.value = "fork"
        else:
            self._switch(True)
        return self._fork

    # -- benchmark ----------------------------------------------------------------------
    def time_steps(self, min_samples: int = 100) -> list[float]:
        """Milliseconds per live step (figure update), over every step of every variant,
        cycled until there are at least ``min_samples`` timings; one untimed step first."""
        self.widget()
        self.show_step(0)
        times: list[float] = []
        while len(times) < min_samples:
            for pos in self.positions():
                self._position = pos
                run = self.current()
                for k in range(len(run.events)):
                    start = time.perf_counter()
                    self.show_step(k)
                    times.append((time.perf_counter() - start) * 1000)
        self._position = self.positions()[0]
        self._reset()
        return times


def _controls_html(div: str, controls: list[Control], steps: int, longest: int) -> str:
    """The fault controls, the step buttons and the step slider. The slider's max is the
    longest run's last step: a browser puts a step back (back/forward navigation) only
    within it, some browsers before the page script has run; the script narrows it to the
    run shown."""
    rows = []
    for i, c in enumerate(controls):
        cid = f"{div}-c{i}"
        options = "".join(f'<option value="{j}"{" selected" if j == 0 else ""}>{html.escape(t)}</option>'
                          for j, t in enumerate(c.labels))
        rows.append(f'<div class="scalelab-control"><label for="{cid}">{html.escape(_readable(c.name))}'
                    f'</label><select id="{cid}" data-scalelab-player-control>{options}</select></div>')
    buttons = "".join(
        f'<button type="button" class="scalelab-step" data-step="{act}">{text}</button>'
        for act, text in (("first", "First"), ("back", "Back"), ("play", "Play"), ("forward", "Forward"),
                          ("last", "Last")))
    step = (f'<div class="scalelab-control"><label for="{div}-step">step</label>'
            f'<input type="range" id="{div}-step" data-scalelab-step min="0" max="{max(0, longest - 1)}" step="1" '
            f'value="0" aria-valuetext="1 of {steps}"><output id="{div}-step-value" aria-hidden="true">1 of {steps}'
            f"</output></div>")
    return (f'<div class="scalelab-controls">{"".join(rows)}</div>'
            f'<div class="scalelab-controls"><div class="scalelab-control scalelab-buttons">{buttons}</div>{step}</div>')


def _page_html(data: str, controls: list[Control], alt: str, height: int) -> str:
    div = "scalelab-" + hashlib.sha1(data.encode()).hexdigest()[:12]
    runs = json.loads(data)["runs"]
    return (
        f'<figure class="scalelab-player" id="{div}-box" tabindex="-1">'
        + _controls_html(div, controls, len(runs[0]["events"]), max(len(r["events"]) for r in runs))
        + f'<div class="scalelab-player-figure" id="{div}" style="height:{height}px">'
        "<p class=\"scalelab-placeholder\">Run player: it draws itself in the book's HTML pages, "
        "and in JupyterLab when you run this cell.</p></div>"
        f'<figcaption class="scalelab-alt" id="{div}-alt" aria-live="polite">{html.escape(alt)}</figcaption>'
        "</figure>\n"
        f'<script type="application/json" id="{div}-data">{data}</script>'
    )


def play(protocol: Callable[..., Run] | Run, /, *, static_budget_bytes: int = DEFAULT_STATIC_BUDGET,
         fixed: Mapping[str, Any] | None = None, **controls: Any) -> Player:
    """A player of ``protocol``'s runs, one per combination of the fault controls.

    Parameters
    ----------
    protocol : a function returning a :class:`scalelab.runs.Run` (e.g.
        :func:`scalelab.failures.payment_run`), or one run to play as it is.
    static_budget_bytes : cap on the static HTML (at most 1 MB); a player over it is
        refused with the size it needs.
    fixed : keyword arguments passed to every run, not shown as controls.
    **controls : ``name=[value, ...]`` (labelled with ``str(value)``, or on/off for
        bools) or ``name={"label": value, ...}``; at most :data:`MAX_VARIANTS` runs in all.
    """
    if isinstance(protocol, Run):
        run = protocol
        protocol, controls = (lambda: run), {}
    if not callable(protocol):
        raise ValueError(f"protocol must be a function returning a Run, or a Run, got {type(protocol).__name__}")
    if not 1_000 <= static_budget_bytes <= 1_000_000:
        raise ValueError(f"static_budget_bytes must be in [1000, 1000000], got {static_budget_bytes!r}")
    ctl = [_as_control(k, v) for k, v in controls.items()]
    n = 1
    for c in ctl:
        n *= len(c.values)
    if n > MAX_VARIANTS:
        raise ValueError(f"the controls span {n} runs, more than MAX_VARIANTS={MAX_VARIANTS}: give fewer values")
    player = Player(protocol, ctl, dict(fixed or {}), static_budget_bytes)
    player.run_at(player.positions()[0])  # fail early, in the calling cell, if the protocol is broken
    _REGISTRY.append(player)
    return player
