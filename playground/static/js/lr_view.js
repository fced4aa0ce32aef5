/**
 * LR finder: Smith's learning-rate range test, run by the server on a fork of the run
 * (the run is untouched). Draws the loss against the learning rate on a log axis, marks
 * the suggested rate, and offers one click to use it.
 */
import { FONT, PLOT_CONFIG, element } from "./insight_common.js";

export class LrRangeView {
  constructor(root, ctx) {
    this.ctx = ctx;
    const o = ctx.options.insight.lr_range;
    const shown = (v) => (v < 1e-3 ? v.toExponential() : String(v));
    const number = (name, spec, step) => element("input", { type: "number", min: spec.min,
      max: spec.max, step, value: shown(spec.default), testid: `lr-${name}`,
      "aria-label": name });
    this.start = number("start", o.start, "any");
    this.stop = number("stop", o.stop, "any");
    this.steps = number("steps", o.steps, 10);
    const run = element("button", { type: "button", testid: "lr-run" }, "Run test");
    run.addEventListener("click", () => this.request());
    this.use = element("button", { type: "button", testid: "lr-use", disabled: true },
      "Use suggested rate");
    this.use.addEventListener("click", () => {
      if (this.suggested !== null) this.ctx.useLearningRate(Number(this.suggested.toPrecision(2)));
    });
    this.note = element("p", { className: "insight-note", testid: "lr-note" },
      "Raises the learning rate step by step on a copy of the run and records the loss.");
    this.plot = element("div", { className: "insight-plot", testid: "lr-plot" });
    root.append(
      element("div", { className: "insight-controls" },
        element("label", {}, "From ", this.start), element("label", {}, "to ", this.stop),
        element("label", {}, "Steps ", this.steps), run, this.use),
      this.note, this.plot,
    );
    this.suggested = null;
    this.drawn = 0;
  }

  open() {
    this.request();
  }

  close() {}

  /** A run that moved on makes a new test worthwhile; it is only run on request. */
  frame() {}

  request() {
    const options = { start: Number(this.start.value), stop: Number(this.stop.value),
      steps: Number(this.steps.value) };
    if (this.ctx.session.requestLrRange(options, this.ctx.run())) {
      this.note.textContent = "Running the range test…";
    }
  }

  failed(error) {
    this.note.textContent = error.message;
  }

  reply(msg) {
    const a = msg.arrays;
    const lrs = Array.from(a.learning_rates.data);
    this.suggested = msg.suggested;
    const traces = [
      { type: "scatter", x: lrs, y: Array.from(a.losses.data), mode: "lines", name: "loss",
        line: { color: "rgba(0,114,178,0.3)", width: 1 }, hoverinfo: "skip" },
      { type: "scatter", x: lrs, y: Array.from(a.smoothed.data), mode: "lines",
        name: "smoothed", line: { color: "#0072B2", width: 3 },
        hovertemplate: "lr %{x:.2g}: loss %{y:.4g}<extra></extra>" },
    ];
    const shapes = [];
    if (msg.suggested !== null) {
      shapes.push({ type: "line", x0: msg.suggested, x1: msg.suggested, yref: "paper", y0: 0,
        y1: 1, line: { color: "#d62728", width: 2, dash: "dash" } });
    }
    Plotly.react(this.plot, traces, {
      font: FONT, margin: { l: 50, r: 10, t: 10, b: 40 }, showlegend: false, shapes,
      xaxis: { type: "log", title: { text: "learning rate" } },
      yaxis: { title: { text: "training loss" } },
    }, PLOT_CONFIG);
    this.use.disabled = msg.suggested === null;
    const rate = msg.suggested === null ? null : Number(msg.suggested.toPrecision(2));
    this.use.textContent = rate === null ? "Use suggested rate" : `Use ${rate}`;
    const stop = { exploded: "stopped when the loss exploded", diverged: "stopped when training diverged",
      done: "reached the last rate", seconds: "stopped at the server's time limit" }[msg.stopped];
    this.note.textContent = rate === null
      ? `The loss never fell (${stop}): try a wider range.`
      : `Suggested learning rate ${rate}: where the smoothed loss falls fastest (${stop}).`;
    this.drawn += 1;
    this.plot.dataset.drawn = String(this.drawn);
    this.plot.dataset.suggested = rate === null ? "" : String(rate);
  }
}
