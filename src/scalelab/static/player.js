/* Scale Lab: the static half of scalelab.player, served once to every page that has a run player.
 *
 * Each player is a <figure class="scalelab-player" id="ID-box"> holding
 *   - one labelled <select data-scalelab-player-control> per fault control,
 *   - step buttons (<button data-step="first|back|play|forward|last">) and a labelled step
 *     slider <input type="range" data-scalelab-step>,
 *   - the plot <div class="scalelab-player-figure" id="ID">,
 *   - a text alternative <figcaption id="ID-alt" aria-live="polite">,
 * and is followed by <script type="application/json" id="ID-data">:
 *   {shape: [values per control], runs: [run, ...], variants: [run index per combination]}
 * where a run is {title, nodes, events, violations, truncated} and an event is
 * [time_s, kind code, node lane, peer lane or -1, message number or 0, label, node state].
 * The combination index is row-major over the controls' positions.
 *
 * Players are drawn when they come near the viewport, one per task (explorer.js's queue).
 * A step or a control change makes one plotly call (Plotly.react); steps that arrive faster
 * than frames are merged into the next frame. The text alternative follows once the frame is
 * painted, once per burst of steps, and, while the run plays, once where it stops. The arrow keys step when the player (or one of
 * its buttons) has focus; Home and End go to the first and last step. Players follow the
 * theme's light/dark mode.
 */
(function () {
  "use strict";

  var KINDS = ["send", "deliver", "drop", "timer", "crash", "restart", "state"];
  var SYMBOLS = {send: "circle", deliver: "circle", drop: "x", timer: "hourglass", crash: "x-thin-open",
                 restart: "star", state: "diamond"};
  var COLORS = {send: "#1f77b4", deliver: "#1f77b4", drop: "#d62728", timer: "#9467bd", crash: "#d62728",
                restart: "#2ca02c", state: "#e16900"};

  // The course template, the theme, lazy drawing and theme following come from explorer.js,
  // which every page with a player loads first.
  var shared = window.scalelab;
  var isDark = shared.isDark, template = shared.template;

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  // The event as one line of the text trace (the same words as scalelab.runs.Event.line).
  function line(run, i) {
    var e = run.events[i], kind = KINDS[e[1]], nodes = run.nodes;
    var head = "#" + i + " t=" + e[0].toFixed(3) + " " + nodes[e[2]] + " " + kind;
    if (kind === "send") return head + " m" + e[4] + " " + e[5] + " -> " + nodes[e[3]];
    if (kind === "deliver") return head + " m" + e[4] + " " + e[5] + " <- " + nodes[e[3]];
    if (kind === "drop") return head + " m" + e[4] + " " + e[5];
    return (head + " " + e[5]).replace(/\s+$/, "");
  }

  function states(run, k) {
    var out = run.nodes.map(function () { return ""; });
    for (var i = 0; i <= k && i < run.events.length; i++) {
      var e = run.events[i], kind = KINDS[e[1]];
      if (kind === "state" || kind === "crash" || kind === "restart" || e[6]) out[e[2]] = e[6];
    }
    return out;
  }

  function captionTitle(run, k) { return run.title + ": step " + (k + 1) + " of " + run.events.length; }

  // The text alternative (the same words as scalelab.player.describe).
  function describe(run, step) {
    if (!run.events.length) return run.title + ": nothing happened.";
    var k = Math.max(0, Math.min(step, run.events.length - 1)), st = states(run, k);
    var parts = [captionTitle(run, k) + ".", "Event " + line(run, k) + ".",
                 "State: " + run.nodes.map(function (n, j) { return n + ": " + (st[j] || "-"); }).join("; ") + "."];
    var seen = run.violations.filter(function (v) { return Math.max.apply(null, v[1]) <= k; })
      .map(function (v) { return v[0]; });
    if (seen.length) parts.push("Checker: " + seen.join("; ") + ".");
    else if (k === run.events.length - 1) parts.push("Checker: no invariant violated.");
    return parts.join(" ");
  }

  // The space-time diagram of events 0..k (the same traces as scalelab.player.diagram).
  function diagram(run, k) {
    var ev = run.events, sends = {}, bad = {}, i;
    ev.forEach(function (e, j) { if (KINDS[e[1]] === "send") sends[e[4]] = j; });
    run.violations.forEach(function (v) { v[1].forEach(function (j) { bad[j] = v[0]; }); });
    var mx = [], my = [], dx = [], dy = [], xx = [], xy = [], px = [], py = [], text = [], sym = [], col = [],
        bx = [], by = [];
    for (i = 0; i <= k; i++) {
      var e = ev[i], kind = KINDS[e[1]];
      if ((kind === "deliver" || kind === "drop") && sends[e[4]] !== undefined) {
        var s = ev[sends[e[4]]];
        if (kind === "deliver") { mx.push(s[0], e[0], null); my.push(s[2], e[2], null); }
        else {
          var tm = (s[0] + e[0]) / 2, ym = (s[2] + e[2]) / 2;
          dx.push(s[0], tm, null); dy.push(s[2], ym, null); xx.push(tm); xy.push(ym);
        }
      }
      px.push(e[0]); py.push(e[2]); sym.push(SYMBOLS[kind]); col.push(COLORS[kind]);
      var h = esc(line(run, i));
      if (e[6]) h += "<br>" + esc(run.nodes[e[2]] + ": " + e[6]);
      if (bad[i] !== undefined) { h += "<br><b>" + esc(bad[i]) + "</b>"; bx.push(e[0]); by.push(e[2]); }
      text.push(h);
    }
    var cur = k >= 0 ? ev[k] : null;
    return [
      {type: "scatter", x: mx, y: my, mode: "lines+markers", name: "message delivered", hoverinfo: "skip",
       line: {color: "#1f77b4", width: 1.5}, marker: {symbol: "arrow", angleref: "previous", size: 11, color: "#1f77b4"}},
      {type: "scatter", x: dx, y: dy, mode: "lines", name: "message dropped", hoverinfo: "skip",
       line: {color: "#d62728", width: 1.5, dash: "dot"}},
      {type: "scatter", x: xx, y: xy, mode: "markers", name: "drop", hoverinfo: "skip", showlegend: false,
       marker: {symbol: "x", size: 12, color: "#d62728"}},
      {type: "scatter", x: px, y: py, mode: "markers", name: "events", showlegend: false, text: text,
       hoverinfo: "text", marker: {symbol: sym, size: 9, color: col}},
      {type: "scatter", x: bx, y: by, mode: "markers", name: "invariant violated", hoverinfo: "skip",
       marker: {symbol: "circle-open", size: 20, color: "#d62728", line: {width: 3}}},
      {type: "scatter", x: cur ? [cur[0]] : [], y: cur ? [cur[2]] : [], mode: "markers", name: "current step",
       hoverinfo: "skip", marker: {symbol: "square-open", size: 18, color: "#2ca02c", line: {width: 2}}}
    ];
  }

  function layout(run, k) {
    var end = 0;
    run.events.forEach(function (e) { if (e[0] > end) end = e[0]; });
    var n = run.nodes.length;
    return {
      title: {text: ""},  // written above the plot (Player.layout)
      xaxis: {title: {text: "simulated time (s)"}, range: [-0.02 * end, end * 1.04 + 1e-3]},
      yaxis: {tickvals: run.nodes.map(function (_, j) { return j; }), ticktext: run.nodes,
              range: [n - 0.5, -0.5], zeroline: false},
      height: 160 + 60 * n, margin: {l: 70, r: 20, t: 12, b: 50},  // the legend above grows the top
      legend: {orientation: "h", yanchor: "bottom", y: 1.0, x: 0},
      template: template(isDark())
    };
  }

  var players = [];

  function Player(box) {
    var id = box.id.replace(/-box$/, ""), self = this;
    this.box = box;
    this.gd = document.getElementById(id);
    this.alt = document.getElementById(id + "-alt");
    this.spec = JSON.parse(document.getElementById(id + "-data").textContent);
    this.controls = Array.prototype.slice.call(box.querySelectorAll("[data-scalelab-player-control]"));
    this.slider = box.querySelector("[data-scalelab-step]");
    this.out = document.getElementById(id + "-step-value");
    // The positions and step as the page was written (what its text alternative describes);
    // sync() follows what the browser restores on back/forward navigation.
    this.pos = this.controls.map(shared.byDefault);
    this.step = this.slider ? +this.slider.defaultValue : 0;
    this.drawn = false;
    this.heading = new shared.Heading(this.gd);  // the title, above the plot
    this.pending = false;
    this.timer = null;
    this.controls.forEach(function (c, i) {
      c.addEventListener("change", function () { self.choose(i, +c.value); });
      c.addEventListener("input", function () { self.choose(i, +c.value); });
    });
    if (this.slider) {
      this.slider.addEventListener("input", function () { self.go(+self.slider.value); });
      this.slider.addEventListener("change", function () { self.go(+self.slider.value); });
    }
    Array.prototype.forEach.call(box.querySelectorAll("button[data-step]"), function (b) {
      b.addEventListener("click", function () { self.act(b.getAttribute("data-step")); });
    });
    box.addEventListener("keydown", function (ev) {
      var tag = ev.target.tagName;
      if (tag === "SELECT" || tag === "INPUT") return;  // native controls handle their own keys
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;  // the browser's shortcuts (Alt+Left: back)
      var map = {ArrowLeft: "back", ArrowRight: "forward", Home: "first", End: "last"};
      if (map[ev.key]) { ev.preventDefault(); self.act(map[ev.key]); }
    });
  }

  Player.prototype.sync = function () {
    var self = this, moved = false, step = this.slider ? +this.slider.value : this.step;
    this.controls.forEach(function (c, i) { if (+c.value !== self.pos[i]) { self.pos[i] = +c.value; moved = true; } });
    if (moved || step !== this.step) this.go(step, true);
  };

  Player.prototype.run = function () {
    var k = 0, shape = this.spec.shape;
    for (var j = 0; j < this.pos.length; j++) k = k * shape[j] + this.pos[j];
    return this.spec.runs[this.spec.variants[k]];
  };

  Player.prototype.last = function () { return Math.max(0, this.run().events.length - 1); };

  Player.prototype.act = function (what) {
    if (what === "play") { this.toggle(); return; }
    this.stop();
    var to = {first: 0, back: this.step - 1, forward: this.step + 1, last: this.last()}[what];
    this.go(to);
  };

  Player.prototype.toggle = function () {
    if (this.timer !== null) { this.stop(); return; }
    var self = this, b = this.box.querySelector('button[data-step="play"]');
    if (this.step >= this.last()) this.go(0);
    // The button's name says what it does next. While the run plays, the text alternative
    // (an aria-live region) waits: it is written, and read out, once, where the run stops.
    if (b) { b.textContent = "Pause"; b.setAttribute("data-playing", "true"); }
    this.timer = setInterval(function () {
      if (self.step >= self.last()) { self.stop(); return; }
      self.go(self.step + 1);
    }, 600);
  };

  Player.prototype.stop = function () {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    var b = this.box.querySelector('button[data-step="play"]');
    if (b) { b.textContent = "Play"; b.removeAttribute("data-playing"); }
    this.caption();
  };

  Player.prototype.choose = function (i, value) {
    if (this.pos[i] === value) return;
    this.pos[i] = value;
    this.stop();
    this.go(Math.min(this.step, this.last()), true);
  };

  Player.prototype.go = function (k, force) {
    k = Math.max(0, Math.min(k, this.last()));
    if (k === this.step && !force) return;
    this.step = k;
    var n = this.run().events.length, shown = (k + 1) + " of " + n;
    if (this.slider) {
      this.slider.max = String(this.last());
      this.slider.value = String(k);
      this.slider.setAttribute("aria-valuetext", shown);
    }
    if (this.out) this.out.textContent = shown;
    if (!this.drawn) { this.caption(); return; }  // drawn later, with the latest step
    if (this.pending) return;  // merged into the next frame
    var self = this;
    this.pending = true;
    requestAnimationFrame(function () { self.pending = false; self.apply(); });
  };

  // One plotly call per move.
  Player.prototype.apply = function () {
    Plotly.react(this.gd, diagram(this.run(), this.step), this.layout(), shared.config);
    this.mark();
  };

  // The layout of the current step, its title written above the plot (explorer.js's Heading).
  Player.prototype.layout = function () {
    this.heading.show(captionTitle(this.run(), this.step));
    return layout(this.run(), this.step);
  };

  Player.prototype.mark = function () {
    this.gd.setAttribute("data-step", this.step);
    this.gd.setAttribute("data-variant", this.spec.runs.indexOf(this.run()));
    this.caption();
  };

  // The text alternative of the current step: written once the frame is painted, and once per
  // burst of steps (explorer.js's settle), and only when its text changes.
  Player.prototype.caption = function () {
    var self = this;
    if (!this.alt || this.timer !== null) return;  // playing: written when it stops
    shared.settle(this, function () {
      if (self.timer !== null) return;  // began playing since: written when it stops
      var run = self.run(), text = describe(run, self.step);
      if (self.alt.textContent !== text) self.alt.textContent = text;
      self.alt.setAttribute("data-step", self.step);
      self.alt.setAttribute("data-variant", self.spec.runs.indexOf(run));
    });
  };

  Player.prototype.draw = function () {
    if (this.drawn) return;
    this.sync();
    this.drawn = true;
    this.gd.innerHTML = "";
    Plotly.newPlot(this.gd, diagram(this.run(), this.step), this.layout(), shared.config);
    this.mark();
  };

  Player.prototype.retheme = function () {
    if (this.drawn) Plotly.relayout(this.gd, {template: template(isDark())});
  };

  function start() {
    var boxes = document.querySelectorAll("figure.scalelab-player");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.__scalelabPlayer) return;
      var p = new Player(box);
      box.__scalelabPlayer = p;
      players.push(p);
      p.sync();
      shared.whenNear(box, p);
    });
    shared.follow(players);
    // The page writes the step slider's max as the longest run's, so that the browser can put
    // a step back (back/forward navigation) past the default run's end; after that, here, and
    // at every step, it is narrowed to the run shown.
    window.addEventListener("pageshow", function () {
      players.forEach(function (p) { p.sync(); if (p.slider) p.slider.max = String(p.last()); });
    });
  }

  window.scalelabPlayer = {players: players, describe: describe, diagram: diagram, line: line, start: start};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
