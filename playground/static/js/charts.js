/**
 * Loss and accuracy per epoch, train and test, as Plotly line charts created once and
 * grown with Plotly.extendTraces. Why batched: one extendTraces redraw costs ~10 ms, so
 * new epochs are buffered and flushed at most a few times a second, one chart per drawn
 * frame; the charts still keep up with the stream, and no frame pays for both.
 */

import { formatRate } from "./controls.js";

const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
const FONT = { family: "system-ui, sans-serif", size: 14, color: "#222" };
const TRAIN_LINE = { color: "#0072B2", width: 3 };
const TEST_LINE = { color: "#D55E00", width: 3, dash: "dash" };
const FLUSH_MS = 400;
const KEYS = ["train_loss", "test_loss", "train_accuracy", "test_accuracy", "learning_rate"];
// The hover names the scheduled learning rate at that epoch (from the frame or history).
const HOVER = "%{fullData.name} %{y:.4f}<br>epoch %{x}<br>learning rate %{customdata}<extra></extra>";
const MARKER = { symbol: "diamond", size: 11, color: "#444", line: { color: "#fff", width: 1 } };

/**
 * One run's points, and those not yet sent to Plotly. With several runs (compare) each
 * has its own pair of traces (one colour per run, test dashed); the loss chart also has
 * one trace of timeline markers per run (config changes, edits, resets, forks) in the
 * run's colour, with hover text naming the run and what changed.
 */
function newSeries() {
  const s = { x: [] };
  for (const k of KEYS) s[k] = [];
  return s;
}

export class Charts {
  constructor(lossEl, accuracyEl) {
    this.charts = [
      { el: lossEl, keys: ["train_loss", "test_loss"], layout: lineLayout("Loss", null) },
      { el: accuracyEl, keys: ["train_accuracy", "test_accuracy"],
        layout: lineLayout("Accuracy", [0, 1.02]) },
    ];
    this.accuracyEl = accuracyEl;
    this.order = ["A"];
    this.colors = {};
    this.series = new Map([["A", newSeries()]]);
    this.markers = new Map(); // run -> [{epoch, kind, detail}]
    this.cursor = null; // the past epoch the timeline shows, or null
    this.turn = 0;
    this.timer = null;
    for (const chart of this.charts) chart.pending = new Map(); // run -> {x, a, b}
  }

  init() {
    for (const chart of this.charts) {
      Plotly.newPlot(chart.el, this.traces(chart), chart.layout, PLOT_CONFIG);
      chart.flushedAt = 0;
      new ResizeObserver(() => resizeIfShown(chart.el)).observe(chart.el);
    }
  }

  seriesOf(run) {
    if (!this.series.has(run)) this.series.set(run, newSeries());
    return this.series.get(run);
  }

  /** Which runs are drawn, in order, with their colours (a change redraws). */
  setRuns(ids, colors = {}) {
    const same = JSON.stringify([ids, colors]) === JSON.stringify([this.order, this.colors]);
    this.order = ids;
    this.colors = colors;
    for (const id of [...this.series.keys()]) if (!ids.includes(id)) this.series.delete(id);
    for (const id of [...this.markers.keys()]) if (!ids.includes(id)) this.markers.delete(id);
    if (!same) this.redraw();
  }

  /** Record a live frame's metrics (one point per new epoch) and maybe flush one chart. */
  add(frame) {
    if (frame.at !== null && frame.at !== undefined) return; // a past moment: nothing new
    const s = this.seriesOf(frame.run || "A");
    const last = s.x.length ? s.x[s.x.length - 1] : null;
    if (last !== null && frame.epoch < last) {
      // The run went back (reset, rewind, restore): keep only its past.
      this.truncate(s, frame.epoch);
      this.redraw();
    }
    if (s.x.length === 0 || frame.epoch > s.x[s.x.length - 1]) {
      s.x.push(frame.epoch);
      for (const k of KEYS) s[k].push(frame[k] === undefined ? null : frame[k]);
      for (const chart of this.charts) {
        const run = frame.run || "A";
        if (!chart.pending.has(run)) chart.pending.set(run, { x: [], a: [], b: [], c: [] });
        const p = chart.pending.get(run);
        const [a, b] = chart.keys.map((k) => frame[k]);
        if (a === null || a === undefined) continue; // no accuracy for regression
        p.x.push(frame.epoch);
        p.a.push(a);
        p.b.push(b);
        p.c.push(rateText(frame.learning_rate));
      }
    }
    this.flushOne(performance.now());
    if (!this.timer && this.charts.some((c) => c.pending.size > 0)) {
      // When frames stop (pause, step), still show the last points.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushAll();
      }, FLUSH_MS * 2);
    }
  }

  truncate(s, epoch) {
    const n = s.x.findIndex((e) => e >= epoch);
    if (n < 0) return;
    s.x.length = n;
    for (const k of KEYS) s[k].length = n;
  }

  /** A run's whole per-epoch history (from its timeline) replaces what was drawn. */
  setHistory(run, history) {
    const s = newSeries();
    s.x = [...(history.epoch || [])];
    for (const k of KEYS) s[k] = (history[k] || []).map((v) => (v === undefined ? null : v));
    this.series.set(run, s);
    this.redraw();
  }

  /** A run's timeline markers on the loss chart: [{epoch, kind, detail}]. */
  setMarkers(events, run) {
    this.markers.set(run, events);
    this.redraw(0);
  }

  /** One run's marker trace; y follows the run's training loss at each marker's epoch. */
  markerTrace(run, many) {
    const s = this.seriesOf(run);
    const m = { x: [], y: [], text: [] };
    for (const e of this.markers.get(run) || []) {
      let k = s.x.findIndex((x) => x >= e.epoch);
      if (k < 0) k = s.x.length - 1;
      m.x.push(e.epoch);
      m.y.push(k >= 0 && s.train_loss[k] !== null ? s.train_loss[k] : 0);
      const what = e.detail || e.kind;
      m.text.push(many ? `${run}: ${what}` : what);
    }
    const marker = many ? { ...MARKER, color: this.colors[run] } : MARKER;
    return { type: "scatter", mode: "markers", name: `${run} changes`, meta: run, ...m,
      marker, showlegend: false, hovertemplate: "epoch %{x}: %{text}<extra></extra>" };
  }

  /** A dotted line at the past epoch the timeline shows (null: live, no line). */
  setCursor(epoch) {
    if (epoch === this.cursor) return;
    this.cursor = epoch;
    const shapes = epoch === null ? [] : [{ type: "line", xref: "x", yref: "paper", x0: epoch,
      x1: epoch, y0: 0, y1: 1, line: { color: "#8a3b00", width: 2, dash: "dot" } }];
    for (const chart of this.charts) {
      chart.layout.shapes = shapes;
      Plotly.relayout(chart.el, { shapes });
    }
  }

  /** Flush the chart whose turn it is, if it has points and waited long enough. */
  flushOne(now, force = false) {
    const first = this.turn; // fixed for the loop: a flush below moves this.turn on
    for (let c = 0; c < this.charts.length; c++) {
      const chart = this.charts[(first + c) % this.charts.length];
      const xs = [];
      const ys = [];
      const cs = [];
      const indices = [];
      if (chart.pending.size === 0) continue;
      if (!force && now - chart.flushedAt < FLUSH_MS) continue;
      this.order.forEach((id, r) => {
        const p = chart.pending.get(id);
        if (!p || p.x.length === 0) return;
        xs.push(p.x, p.x.slice());
        ys.push(p.a, p.b);
        cs.push(p.c, p.c.slice());
        indices.push(2 * r, 2 * r + 1);
      });
      chart.pending = new Map();
      chart.flushedAt = now;
      if (indices.length > 0) {
        Plotly.extendTraces(chart.el, { x: xs, y: ys, customdata: cs }, indices);
      }
      this.turn = (first + c + 1) % this.charts.length;
      if (!force) return;
    }
  }

  /** Flush everything now (e.g. when paused, so the last epoch is shown). */
  flushAll() {
    this.flushOne(performance.now(), true);
  }

  /** Replace a chart's traces from the stored series (rare: runs, history, markers). */
  redraw(only = null) {
    this.charts.forEach((chart, c) => {
      if (only !== null && only !== c) return;
      chart.pending = new Map(); // the series hold everything: nothing left to extend
      Plotly.react(chart.el, this.traces(chart), chart.layout, PLOT_CONFIG);
    });
  }

  traces(chart) {
    const many = this.order.length > 1;
    const data = [];
    for (const id of this.order) {
      const s = this.seriesOf(id);
      const color = this.colors[id];
      chart.keys.forEach((key, t) => {
        const line = many ? { color, width: 3, dash: t ? "dash" : "solid" }
          : t ? TEST_LINE : TRAIN_LINE;
        // Compare: one legend entry per run ("A", "B"); test is the dashed line.
        const name = many ? `${id}${t ? " test" : ""}` : t ? "test" : "training";
        // Regression has no accuracy: leave those points out, as live frames do.
        const keep = s.x.map((_, k) => s[chart.keys[0]][k] !== null);
        data.push({ type: "scatter", mode: "lines", name, meta: id, line,
          showlegend: !many || t === 0, hovertemplate: HOVER,
          x: s.x.filter((_, k) => keep[k]), y: s[key].filter((_, k) => keep[k]),
          customdata: s.learning_rate.filter((_, k) => keep[k]).map(rateText) });
      });
    }
    if (chart === this.charts[0]) {
      // Markers after every line: line traces keep indices 2r, 2r + 1 for extendTraces.
      for (const id of this.order) data.push(this.markerTrace(id, many));
    }
    return data;
  }

  clear() {
    for (const s of this.series.values()) {
      s.x = [];
      for (const k of KEYS) s[k] = [];
    }
    this.markers = new Map();
    this.redraw();
  }

  setRegression(isRegression) {
    this.accuracyEl.classList.toggle("not-applicable", isRegression);
  }
}

function rateText(rate) {
  return typeof rate === "number" && Number.isFinite(rate) ? formatRate(rate) : "–";
}

/** Plotly refuses to resize a hidden plot (the accuracy chart hides for regression). */
export function resizeIfShown(el) {
  if (el.offsetParent !== null) Plotly.Plots.resize(el);
}

function lineLayout(title, range) {
  return {
    margin: { l: 44, r: 8, t: 28, b: 24 },
    title: { text: title, font: { size: 15 }, x: 0.01, xanchor: "left", y: 0.98 },
    font: FONT,
    xaxis: { zeroline: false, rangemode: "tozero" },
    yaxis: range ? { range, fixedrange: true } : { rangemode: "tozero", zeroline: false },
    showlegend: true,
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom",
      font: { size: 12 } },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#fff",
    uirevision: "keep",
  };
}
