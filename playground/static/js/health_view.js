/**
 * Health over time: each layer's gradient norm and update/weight ratio at the end of
 * every epoch, on log axes (vanishing gradients show as the first layers' curves lying
 * decades below the last one's), and the server's warnings with cause-specific advice.
 * Frames carry the data only while this view is open (view field `health`).
 */
import { FONT, PLOT_CONFIG, element, throttled } from "./insight_common.js";

const DRAW_MS = 400;
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999999",
  "#000000", "#F0E442"];

export class HealthView {
  constructor(root, ctx) {
    this.ctx = ctx;
    const help = element("button", { type: "button", className: "help-dot", testid: "health-help",
      "aria-label": "What do these charts mean?", "aria-expanded": "false" }, "?");
    this.explanation = element("p", { className: "insight-note", testid: "health-explanation",
      hidden: true });
    help.addEventListener("click", () => {
      this.explanation.hidden = !this.explanation.hidden;
      help.setAttribute("aria-expanded", String(!this.explanation.hidden));
    });
    this.warnings = element("ul", { className: "health-warnings", testid: "health-warnings" });
    this.grad = element("div", { className: "insight-plot half", testid: "health-grad" });
    this.update = element("div", { className: "insight-plot half", testid: "health-update" });
    root.append(element("div", { className: "insight-controls" }, help,
      element("span", {}, "Per layer, at the end of each epoch")), this.explanation,
      this.warnings, element("div", { className: "insight-row" }, this.grad, this.update));
    this.draw = throttled((frame) => this.render(frame), DRAW_MS);
    this.drawn = 0;
    this.shown = "";
  }

  open() {
    this.ctx.session.set({ health: true });
  }

  close() {
    this.ctx.session.set({ health: false });
  }

  frame(frame) {
    if (frame.health) this.draw(frame);
  }

  render(frame) {
    const a = frame.arrays;
    const epochs = Array.from(a.health_epochs.data);
    const [layers, count] = a.health_grad.shape;
    const series = (arr, k) => Array.from(arr.data.subarray(k * count, (k + 1) * count),
      (v) => (v > 0 ? v : null));
    const traces = (arr) => Array.from({ length: layers }, (_, k) => ({
      type: "scatter", mode: "lines", x: epochs, y: series(arr, k),
      name: k === layers - 1 ? "output" : `layer ${k + 1}`,
      line: { color: PALETTE[k % PALETTE.length], width: 2 },
    }));
    const layout = (title, extra = {}) => ({
      font: FONT, margin: { l: 55, r: 5, t: 25, b: 35 }, title: { text: title, font: { size: 13 } },
      xaxis: { title: { text: "epoch" } }, yaxis: { type: "log", exponentformat: "power" },
      legend: { font: { size: 10 }, x: 1.01, y: 1 }, uirevision: "health", ...extra,
    });
    Plotly.react(this.grad, traces(a.health_grad), layout("gradient norm"), PLOT_CONFIG);
    const healthy = { type: "line", xref: "paper", x0: 0, x1: 1, y0: 1e-3, y1: 1e-3,
      line: { color: "#888", dash: "dot", width: 1 } };
    Plotly.react(this.update, traces(a.health_update),
      layout("update / weight (healthy ≈ 0.001)", { shapes: [healthy] }), PLOT_CONFIG);
    this.explanation.textContent = frame.health.explanation;
    const key = JSON.stringify(frame.health.warnings);
    if (key !== this.shown) {
      this.shown = key;
      const items = frame.health.warnings.map((w) => element("li", { className: `warn-${w.kind}` },
        element("strong", {}, `${w.message}. `), w.advice));
      if (items.length === 0) items.push(element("li", { className: "ok" }, "No warnings."));
      this.warnings.replaceChildren(...items);
    }
    this.drawn += 1;
    this.grad.dataset.drawn = String(this.drawn);
    this.grad.dataset.epochs = String(epochs.length);
  }
}
