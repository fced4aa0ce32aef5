/**
 * Loss and accuracy per epoch, train and test, as Plotly line charts created once and
 * grown with Plotly.extendTraces. Why batched: one extendTraces redraw costs ~10 ms, so
 * new epochs are buffered and flushed at most a few times a second, one chart per drawn
 * frame; the charts still keep up with the stream, and no frame pays for both.
 */

const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
const FONT = { family: "system-ui, sans-serif", size: 14, color: "#222" };
const TRAIN_LINE = { color: "#0072B2", width: 3 };
const TEST_LINE = { color: "#D55E00", width: 3, dash: "dash" };
const FLUSH_MS = 400;

export class Charts {
  constructor(lossEl, accuracyEl) {
    this.charts = [
      { el: lossEl, keys: ["train_loss", "test_loss"], layout: lineLayout("Loss", null) },
      { el: accuracyEl, keys: ["train_accuracy", "test_accuracy"],
        layout: lineLayout("Accuracy", [0, 1.02]) },
    ];
    this.accuracyEl = accuracyEl;
    this.clearPending();
    this.lastEpoch = null;
    this.lastStep = -1;
    this.turn = 0;
    this.timer = null;
  }

  init() {
    for (const chart of this.charts) {
      Plotly.newPlot(chart.el, lineData(), chart.layout, PLOT_CONFIG);
      chart.flushedAt = 0;
      new ResizeObserver(() => resizeIfShown(chart.el)).observe(chart.el);
    }
  }

  clearPending() {
    for (const chart of this.charts || []) chart.pending = { x: [], a: [], b: [] };
  }

  /** Record a frame's metrics (one point per new epoch) and maybe flush one chart. */
  add(frame) {
    if (frame.step < this.lastStep) this.clear();
    this.lastStep = frame.step;
    if (frame.epoch !== this.lastEpoch) {
      this.lastEpoch = frame.epoch;
      for (const chart of this.charts) {
        const [a, b] = chart.keys.map((k) => frame[k]);
        if (a === null || a === undefined) continue; // no accuracy for regression
        chart.pending.x.push(frame.epoch);
        chart.pending.a.push(a);
        chart.pending.b.push(b);
      }
    }
    this.flushOne(performance.now());
    if (!this.timer && this.charts.some((c) => c.pending.x.length > 0)) {
      // When frames stop (pause, step), still show the last points.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushAll();
      }, FLUSH_MS * 2);
    }
  }

  /** Flush the chart whose turn it is, if it has points and waited long enough. */
  flushOne(now, force = false) {
    for (let k = 0; k < this.charts.length; k++) {
      const chart = this.charts[(this.turn + k) % this.charts.length];
      if (chart.pending.x.length === 0) continue;
      if (!force && now - chart.flushedAt < FLUSH_MS) continue;
      const { x, a, b } = chart.pending;
      Plotly.extendTraces(chart.el, { x: [x, x.slice()], y: [a, b] }, [0, 1]);
      chart.pending = { x: [], a: [], b: [] };
      chart.flushedAt = now;
      this.turn = (this.turn + k + 1) % this.charts.length;
      if (!force) return;
    }
  }

  /** Flush everything now (e.g. when paused, so the last epoch is shown). */
  flushAll() {
    this.flushOne(performance.now(), true);
  }

  clear() {
    this.lastEpoch = null;
    this.lastStep = -1;
    for (const chart of this.charts) {
      chart.pending = { x: [], a: [], b: [] };
      Plotly.react(chart.el, lineData(), chart.layout, PLOT_CONFIG);
    }
  }

  setRegression(isRegression) {
    this.accuracyEl.classList.toggle("not-applicable", isRegression);
  }
}

/** Plotly refuses to resize a hidden plot (the accuracy chart hides for regression). */
export function resizeIfShown(el) {
  if (el.offsetParent !== null) Plotly.Plots.resize(el);
}

function lineData() {
  return [
    { type: "scatter", mode: "lines", name: "training", x: [], y: [], line: TRAIN_LINE },
    { type: "scatter", mode: "lines", name: "test", x: [], y: [], line: TEST_LINE },
  ];
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
