/* Scale Lab: the static half of scalelab.explorer, served once to every page that has a figure.
 *
 * Each figure on the page is a <figure class="scalelab-explorer" id="ID-box"> holding
 *   - native, labelled controls (<input type="range"> or <select>) in .scalelab-controls,
 *   - the plot <div class="scalelab-figure" id="ID">,
 *   - a text alternative <figcaption id="ID-alt">,
 * and is followed by <script type="application/json" id="ID-data"> with the figure and its
 * precomputed grid: {figure, shape, arrays, frames, titles}. frames[k] lists, per trace,
 * either an index into arrays (new y, same x) or [x index, y index]; k is the row-major
 * index of all controls' positions.
 *
 * Figures are drawn when they come near the viewport (IntersectionObserver), one per task
 * so the page stays responsive; a figure that the page's link points at is drawn as soon as
 * this script runs. A figure's JSON is parsed when it is first needed; the text alternative
 * in the page describes the default positions. A control move makes one plotly call,
 * Plotly.restyle of the traces (and writes the title above the plot if it changes). The first move
 * since the last frame is applied at once; moves that arrive faster than frames are merged
 * into the next; the text alternative follows once the frame is painted, and once per burst
 * of moves (an aria-live region is read out at every change). Figures
 * follow the theme's light/dark mode. A figure's title is written as text above its plot,
 * where it wraps (Heading). The run player (player.js, loaded after this script)
 * uses its template, its lazy drawing and its theme following.
 */
(function () {
  "use strict";

  // The course's colours (scalelab/palette.py, which says how they were chosen): each stands
  // out 3:1 or more from the page's background in light mode and in dark mode.
  var COLORWAY = ["#1f77b4", "#d62728", "#10828e", "#e16900", "#d32b9f", "#2ca02c", "#9467bd", "#935a4e", "#7f7f7f", "#797916"];

  // One course template (light and dark), shipped once, instead of plotly_white in every figure.
  function template(dark) {
    var ink = dark ? "#d4d9de" : "#2a3f5f", grid = dark ? "#39414a" : "#e6ebf2", zero = dark ? "#56606b" : "#d0d7e1";
    var axis = {gridcolor: grid, linecolor: grid, zerolinecolor: zero, zerolinewidth: 1.5, ticks: "",
                automargin: true, title: {standoff: 12}};
    return {
      data: {scatter: [{line: {width: 2.5}}], bar: [{marker: {line: {width: 0}}}]},
      layout: {
        colorway: COLORWAY, font: {color: ink, family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: "closest",
        xaxis: axis, yaxis: axis,
        legend: {bgcolor: "rgba(0,0,0,0)"},
        // a figure that sets no margins (a measured one, drawn with show()) gets an explorer's,
        // not plotly's 80 px each side, which left a phone's plot 182 of 342 px wide;
        // automargin grows them where tick labels need more
        margin: {l: 60, r: 20, b: 60},
        hoverlabel: {bgcolor: dark ? "#222830" : "#ffffff", font: {color: ink}}
      }
    };
  }

  function isDark() {
    var theme = document.documentElement.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme === "dark";
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  // Numbers as a reader would say them: three significant digits.
  function num(v) {
    if (typeof v !== "number") return String(v);
    if (!isFinite(v)) return String(v);
    return String(+v.toPrecision(3));
  }

  function textOf(layout, key) {
    var v = layout[key];
    if (v && typeof v === "object") v = v.title !== undefined ? v.title : v.text;
    if (v && typeof v === "object") v = v.text;
    return v ? String(v) : "";
  }

  // An axis's key in the layout ("y2" -> "yaxis2") and its title; a value as its tick says it.
  function axisKey(ref, letter) {
    return letter + "axis" + (ref && ref.length > 1 ? ref.slice(1) : "");
  }

  // Text as a listener hears it (a tick label in full, as the axis shows it) and as the title
  // above a plot shows it: a line break is a space, other markup is dropped (explorer.py's
  // _strip_tags is its twin).
  function plain(s) { return String(s).replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, ""); }

  function tickSay(axis, v) {
    var vals = axis && axis.tickvals, text = axis && axis.ticktext;
    if (vals && text) {
      for (var i = 0; i < vals.length && i < text.length; i++) {
        if (vals[i] === v) return plain(text[i]);
      }
    }
    return num(v);
  }

  function axisText(layout, key) {
    var axis = layout[key] || {}, t = textOf(layout, key);
    if (t) return plain(t);
    return axis.ticktext ? axis.ticktext.map(plain).join(", ") : "";
  }

  // The title over a subplot: an annotation centred on its top edge (as plotly's make_subplots
  // writes subplot titles).
  function panelTitle(layout, xk, yk) {
    if (!layout[xk] || !layout[yk]) return "";
    var xd = layout[xk].domain || [0, 1], yd = layout[yk].domain || [0, 1];
    var notes = layout.annotations || [];
    for (var i = 0; i < notes.length; i++) {
      var a = notes[i];
      if (a.xref === "paper" && a.yref === "paper" && a.text && typeof a.x === "number" && typeof a.y === "number" &&
          a.x >= xd[0] && a.x <= xd[1] && Math.abs(a.y - yd[1]) < 1e-9) return plain(a.text);
    }
    return "";
  }

  // The text alternative: the title, the axes, and each curve's key numbers. A curve is read
  // through its own axes: tick labels where the axis names its ticks, the right-hand axis
  // named, and in a figure of several panels each curve's panel named.
  function describe(title, layout, traces) {
    var parts = [], overlay = {}, panels = {}, nPanels = 0;  // overlay: an overlaying y axis -> what the text calls it
    // A second x axis over another shares its panel.
    var panelX = function (xk) { var over = (layout[xk] || {}).overlaying; return over ? axisKey(over, "x") : xk; };
    traces.forEach(function (t) {
      var xk = panelX(axisKey(t.xaxis, "x")), yk = axisKey(t.yaxis, "y"), ya = layout[yk] || {};
      if (ya.overlaying) {
        if (!overlay[yk]) overlay[yk] = ya.side === "right" ? "right-hand axis" : "second left-hand axis";
        return;
      }
      if (!panels[xk + yk]) { panels[xk + yk] = true; nPanels++; }
    });
    var titled = function (letter) {
      var own = axisText(layout, letter + "axis");
      if (own || nPanels < 2) return own;
      var seen = [];
      traces.forEach(function (t) {
        var k = axisKey(letter === "x" ? t.xaxis : t.yaxis, letter), s = axisText(layout, k);
        if (s && !overlay[k] && seen.indexOf(s) < 0) seen.push(s);
      });
      return seen.length === 1 ? seen[0] : "";
    };
    if (title) parts.push(plain(title) + ".");
    var xt = titled("x"), yt = titled("y"), seconds = [];
    Object.keys(overlay).forEach(function (k) { var s = axisText(layout, k); if (s) seconds.push("; " + overlay[k] + ": " + s); });
    if (xt || yt || seconds.length) {
      parts.push("Horizontal axis: " + (xt || "x") + "; vertical axis: " +
                 (yt || (nPanels > 1 ? "as each panel's title says" : "y")) + seconds.join("") + ".");
    }
    traces.forEach(function (t) {
      if (!t.name && t.showlegend === false) return;  // a lane or guide drawn under the curves
      var xk = axisKey(t.xaxis, "x"), yk = axisKey(t.yaxis, "y"), xa = layout[xk], ya = layout[yk];
      var xs = t.x || [], ys = t.y || [], pts = [], bases = t.base;
      // A bar drawn up from a base (a band) ends at base + y, and is said from its base to its end.
      var baseAt = function (i) {
        var b = Array.isArray(bases) ? bases[i] : bases;
        return typeof b === "number" && isFinite(b) ? b : null;
      };
      if (bases !== undefined && bases !== null) {
        ys = ys.map(function (y, i) { var b = baseAt(i); return typeof y === "number" && b !== null ? b + y : y; });
      }
      for (var i = 0; i < ys.length; i++) {
        if (typeof ys[i] === "number" && isFinite(ys[i]) && xs[i] !== null && xs[i] !== undefined) pts.push(i);
      }
      var name = t.name || "curve";
      if (overlay[yk]) name += " (" + overlay[yk] + ")";
      else if (nPanels > 1) name = (panelTitle(layout, panelX(xk), yk) || "panel " + (yk.slice(5) || "1")) + ", " + name;
      if (!pts.length) { parts.push(name + ": nothing to draw here."); return; }
      var sx = function (i) { return tickSay(xa, xs[i]); };
      var sy = function (i) { return tickSay(ya, ys[i]); }, say = function (i) { return sy(i) + " at " + sx(i); };
      var full = function (i) { var b = baseAt(i); return (b !== null ? tickSay(ya, b) + " to " : "") + say(i); };
      if (pts.length <= 4) { parts.push(name + ": " + pts.map(full).join(", ") + "."); return; }
      var hi = pts[0], lo = pts[0];
      pts.forEach(function (i) { if (ys[i] > ys[hi]) hi = i; if (ys[i] < ys[lo]) lo = i; });
      if (sy(hi) === sy(lo)) {
        parts.push(name + ": " + sy(hi) + " from " + sx(pts[0]) + " to " + sx(pts[pts.length - 1]) + ".");
        return;
      }
      parts.push(name + ": from " + say(pts[0]) + " to " + say(pts[pts.length - 1]) +
                 "; highest " + say(hi) + ", lowest " + say(lo) + ".");
    });
    return parts.join(" ");
  }

  // A text alternative from a model's own words (explore(..., summary=...)), for a figure whose
  // curves are not read as y against x.
  function summarised(title, summary) {
    return (title ? plain(title) + ". " : "") + summary;
  }

  // A text alternative is an aria-live region, which a screen reader reads out each time it
  // changes. The first change after a quiet spell is written as soon as the frame is painted;
  // the changes of a burst that follows (key repeat, a drag, a run playing) are written once,
  // when none has come for SETTLE_MS: at most two announcements per burst, the last one true.
  var SETTLE_MS = 250;
  function settle(owner, write) {
    owner.settleDue = write;
    var end = function () {
      owner.settleQuiet = null;
      var w = owner.settleDue;
      owner.settleDue = null;
      if (w) w();
    };
    var inBurst = !!owner.settleQuiet;
    clearTimeout(owner.settleQuiet);
    owner.settleQuiet = setTimeout(end, SETTLE_MS);
    if (inBurst) return;
    requestAnimationFrame(function () {
      setTimeout(function () { if (owner.settleDue === write) { owner.settleDue = null; write(); } }, 0);
    });
  }

  // A figure's title is written as text above its plot, not in the plot: plotly.js does not
  // wrap titles, so one wider than its plot (a phone, a narrow window) would be cut off at
  // the plot's edge, and a legend above the plot that wraps to more rows grows up into it.
  // Above the plot the title wraps, and the legend has the plot's top margin to itself.
  // The text is aria-hidden: the figure's text alternative begins with the title.
  function Heading(gd) {
    this.gd = gd;
    this.el = null;
  }
  Heading.prototype.show = function (title) {
    var text = title == null ? "" : plain(title);
    if (!this.el) {
      this.el = document.createElement("p");
      this.el.className = "scalelab-title";
      this.el.setAttribute("aria-hidden", "true");
      this.gd.parentNode.insertBefore(this.el, this.gd);
    }
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = !text;
  };

  // No modebar on the page: plotly sizes the top margin to a legend above the plot exactly, so
  // its icons would sit on the legend, and zooming or saving a picture is not what the page is
  // for (the live figure in JupyterLab keeps them).
  var CONFIG = {responsive: true, displayModeBar: false};

  // The top margin of a plot whose title is above it: only what plotly places there itself
  // (a legend above the plot makes it as tall as it needs); room for one line where subplots'
  // titles stand above the top row.
  function topMargin(layout) {
    var m = {}, own = layout.margin || {};
    for (var key in own) m[key] = own[key];
    var subplotTitles = (layout.annotations || []).some(function (a) { return a.yref === "paper" && a.y >= 1; });
    m.t = subplotTitles ? 30 : 12;
    return m;
  }

  // A control's position as the page was written (what its text alternative describes).
  function byDefault(c) {
    if (c.tagName !== "SELECT") return +c.defaultValue;
    for (var j = 0; j < c.options.length; j++) if (c.options[j].defaultSelected) return +c.options[j].value;
    return c.options.length ? +c.options[0].value : 0;
  }

  var figures = [];

  function Figure(box) {
    var id = box.id.replace(/-box$/, "");
    this.box = box;
    this.gd = document.getElementById(id);
    this.alt = document.getElementById(id + "-alt");
    this.specNode = document.getElementById(id + "-data");
    this.parsed = null;    // the figure's JSON, parsed when first needed (a page may hold several MB)
    this.controls = Array.prototype.slice.call(box.querySelectorAll("[data-scalelab-control]"));
    this.pos = this.controls.map(byDefault);  // what the page and its text alternative show
    this.shape = this.controls.map(function (c) { return c.tagName === "SELECT" ? c.options.length : +c.max + 1; });
    if (this.alt) this.alt.setAttribute("data-frame", this.frame());  // the frame the page's text describes
    this.drawn = false;
    this.heading = new Heading(this.gd);
    this.inFrame = false;  // a move was applied and its frame is not painted yet
    this.dirty = false;    // a later move waits for that frame
    var self = this;
    this.controls.forEach(function (c, i) {
      c.addEventListener("input", function () { self.move(i, +c.value); });
      c.addEventListener("change", function () { self.move(i, +c.value); });
    });
  }

  Object.defineProperty(Figure.prototype, "spec", {get: function () {
    if (!this.parsed) this.parsed = JSON.parse(this.specNode.textContent);
    return this.parsed;
  }});

  // Controls the browser put back where the reader left them (back/forward navigation) are
  // followed: the value shown and announced, the figure, and its text alternative.
  Figure.prototype.sync = function () {
    var self = this;
    this.controls.forEach(function (c, i) { if (+c.value !== self.pos[i]) self.move(i, +c.value); });
  };

  Figure.prototype.frame = function () {
    var k = 0, shape = this.shape;
    for (var j = 0; j < this.pos.length; j++) k = k * shape[j] + this.pos[j];
    return k;
  };

  // The traces' data for the current positions (x is kept where it does not change).
  Figure.prototype.data = function (k) {
    var A = this.spec.arrays, f = this.spec.frames[k], base = this.spec.figure.data, xs = [], ys = [];
    if (!f) return null;
    f.forEach(function (t, n) {
      if (Array.isArray(t)) { xs.push(A[t[0]]); ys.push(A[t[1]]); } else { xs.push(base[n].x); ys.push(A[t]); }
    });
    return {x: xs, y: ys};
  };

  Figure.prototype.title = function (k) {
    return this.spec.titles ? this.spec.titles[k] : textOf(this.spec.figure.layout, "title");
  };

  Figure.prototype.caption = function (k) {
    var d = this.data(k), fig = this.spec.figure, traces;
    traces = d ? fig.data.map(function (t, n) {
      return {name: t.name, x: d.x[n], y: d.y[n], base: t.base, xaxis: t.xaxis, yaxis: t.yaxis, showlegend: t.showlegend};
    }) : fig.data;
    if (this.alt) {
      var text = this.spec.summaries ? summarised(this.title(k), this.spec.summaries[k])
                                     : describe(this.title(k), fig.layout, traces);
      if (this.alt.textContent !== text) this.alt.textContent = text;  // unchanged text is not read out again
      this.alt.setAttribute("data-frame", k);
    }
  };

  // The text alternative follows a move once the figure's frame is painted (so the plot's
  // update is not held up by it), and a burst of moves is announced once, at its end.
  Figure.prototype.captionAfterPaint = function (k) {
    var self = this;
    settle(this, function () { self.caption(k); });
  };

  Figure.prototype.move = function (i, value) {
    if (this.pos[i] === value) return;
    this.pos[i] = value;
    var c = this.controls[i], out = document.getElementById(c.id + "-value");
    var shown = c.getAttribute("data-labels") ? JSON.parse(c.getAttribute("data-labels"))[value] : value;
    if (out) out.textContent = shown;
    if (c.tagName === "INPUT") c.setAttribute("aria-valuetext", shown);
    if (!this.drawn) { this.captionAfterPaint(this.frame()); return; }  // drawn later, with the latest positions
    if (this.inFrame) { this.dirty = true; return; }  // merged into the next frame
    // The first move since the last frame is applied at once (waiting for the next frame
    // would add up to a frame's delay to every move); later ones in the same frame are merged.
    this.apply();
    this.inFrame = true;
    var self = this;
    requestAnimationFrame(function tick() {
      if (!self.dirty) { self.inFrame = false; return; }
      self.dirty = false;
      self.apply();
      requestAnimationFrame(tick);
    });
  };

  // One plotly call per move: restyle the traces (the title is above the plot).
  Figure.prototype.apply = function () {
    var k = this.frame(), d = this.data(k), idx = [];
    if (!d) return;
    for (var n = 0; n < d.y.length; n++) idx.push(n);
    if (this.spec.titles) this.heading.show(this.spec.titles[k]);
    Plotly.restyle(this.gd, d, idx);
    this.gd.setAttribute("data-frame", k);
    this.captionAfterPaint(k);
  };

  Figure.prototype.draw = function () {
    if (this.drawn) return;
    this.sync();
    this.drawn = true;
    var fig = this.spec.figure, k = this.frame(), d = this.data(k), data = fig.data.map(function (t) {
      var c = {}; for (var key in t) c[key] = t[key]; return c;
    });
    if (d) data.forEach(function (t, n) { t.x = d.x[n]; t.y = d.y[n]; });
    var layout = {};
    for (var key in fig.layout) layout[key] = fig.layout[key];
    this.heading.show(this.title(k));
    layout.title = {text: ""};
    layout.margin = topMargin(fig.layout);
    var legend = fig.layout.legend;  // placed under the plot's own title (explorer.title_over_legend)
    if (legend && legend.yref === "container") layout.legend = Object.assign({}, legend, {y: 1});
    layout.template = template(isDark());
    this.gd.innerHTML = "";
    Plotly.newPlot(this.gd, data, layout, CONFIG);
    this.gd.setAttribute("data-frame", k);  // its text alternative follows every move, drawn or not
  };

  Figure.prototype.retheme = function () {
    if (this.drawn) Plotly.relayout(this.gd, {template: template(isDark())});
  };

  // Draw queued items (figures here, run players in player.js) one per task, so input and
  // scrolling are handled in between. An item has .drawn, .draw() and .retheme().
  var queue = [], busy = false;
  function pump() {
    if (!window.Plotly) { setTimeout(pump, 30); return; }
    var f = queue.shift();
    if (!f) { busy = false; return; }
    f.draw();
    setTimeout(pump, 0);
  }
  function request(f) {
    if (f.drawn || queue.indexOf(f) >= 0) return;
    queue.push(f);
    if (!busy) { busy = true; pump(); }
  }

  // Draw an item when its box comes near the viewport (at once without IntersectionObserver).
  var near = null;
  function whenNear(box, item) {
    if (!window.IntersectionObserver) { request(item); return; }
    box.__scalelabItem = item;
    near = near || new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { near.unobserve(e.target); request(e.target.__scalelabItem); }
      });
    }, {rootMargin: "400px 0px"});
    near.observe(box);
  }

  // Items follow the theme's light/dark toggle and the system preference, and are all drawn
  // before printing. (Once per list: start() may be called again.)
  function follow(items) {
    if (items.followed) return;
    items.followed = true;
    var on = function () { items.forEach(function (f) { f.retheme(); }); };
    window.addEventListener("beforeprint", function () { items.forEach(function (f) { f.draw(); }); });
    new MutationObserver(on).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      if (mq.addEventListener) mq.addEventListener("change", on); else if (mq.addListener) mq.addListener(on);
    }
  }

  // The figure a link points at (its plot, its box or anything inside the box), if any.
  function linked() {
    var id = window.location.hash.slice(1), el;
    try { el = id && document.getElementById(decodeURIComponent(id)); } catch (e) { el = null; }
    var box = el && el.closest && el.closest("figure.scalelab-explorer");
    return box ? box.__scalelab : null;
  }

  function start() {
    var boxes = document.querySelectorAll("figure.scalelab-explorer");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.__scalelab) return;
      var f = new Figure(box);
      box.__scalelab = f;
      figures.push(f);
      f.sync();
      whenNear(box, f);
    });
    // A reader who followed a link to a figure sees it drawn first, before the page's other
    // scripts run (the browser has not scrolled there yet, so the observer would wait a frame).
    var first = window.Plotly && linked();
    if (first) first.draw();
    window.addEventListener("pageshow", function () { figures.forEach(function (f) { f.sync(); }); });
    window.addEventListener("hashchange", function () { var f = linked(); if (f) request(f); });
    follow(figures);
  }

  window.scalelab = {figures: figures, template: template, isDark: isDark, describe: describe, summarised: summarised,
                     start: start, whenNear: whenNear, follow: follow, settle: settle, byDefault: byDefault,
                     Heading: Heading, config: CONFIG};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
