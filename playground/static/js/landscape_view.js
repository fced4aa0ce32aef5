/**
 * Loss-landscape view: a contour plot of the training objective on a plane through the
 * current weights (random filter-normalized or trajectory directions), the path the run's
 * checkpoints took ending at the current point, and a 1D slice along the last update.
 * The server computes it on request; while the run trains, the view asks again at most
 * once a second (one request in flight), so it follows training and costs nothing closed.
 */
import { FONT, PLOT_CONFIG, element } from "./insight_common.js";

const FOLLOW_MS = 1000;

export class LandscapeView {
  constructor(root, ctx) {
    this.ctx = ctx;
    const o = ctx.options.insight.landscape;
    this.directions = element("select", { testid: "landscape-directions",
      "aria-label": "Directions" },
      ...o.directions.map((d) => element("option", { value: d }, d)));
    this.resolution = element("input", { type: "number", min: o.resolution.min,
      max: o.resolution.max, step: 2, value: o.resolution.default, testid: "landscape-resolution",
      "aria-label": "Resolution (odd)" });
    this.span = element("input", { type: "number", min: 0.1, max: o.span.max, step: 0.1,
      value: o.span.default, testid: "landscape-span", "aria-label": "Span" });
    this.follow = element("input", { type: "checkbox", checked: true, testid: "landscape-follow" });
    const refresh = element("button", { type: "button", testid: "landscape-refresh" }, "Refresh");
    refresh.addEventListener("click", () => this.request());
    for (const input of [this.directions, this.resolution, this.span]) {
      input.addEventListener("change", () => this.request());
    }
    this.note = element("p", { className: "insight-note", testid: "landscape-note" },
      "Computing…");
    this.plot = element("div", { className: "insight-plot", testid: "landscape-plot" });
    this.slice = element("div", { className: "insight-plot small", testid: "landscape-slice" });
    root.append(
      element("div", { className: "insight-controls" },
        element("label", {}, "Directions ", this.directions),
        element("label", {}, "Grid ", this.resolution),
        element("label", {}, "Span ", this.span),
        element("label", {}, this.follow, " follow training"), refresh),
      this.note, this.plot, this.slice,
    );
    this.inFlight = false;
    this.lastAt = 0;
    this.lastStep = -1;
    this.step = -1;
    this.drawn = 0;
  }

  open() {
    this.request();
  }

  close() {
    this.inFlight = false;
  }

  request() {
    const options = {
      directions: this.directions.value,
      resolution: Number(this.resolution.value),
      span: Number(this.span.value),
    };
    if (this.ctx.session.requestLandscape(options, this.ctx.run())) {
      this.inFlight = true;
      this.lastAt = performance.now();
      this.lastStep = this.step;
    }
  }

  frame(frame) {
    this.step = frame.step;
    const due = performance.now() - this.lastAt >= FOLLOW_MS && frame.step !== this.lastStep;
    if (this.follow.checked && !this.inFlight && due) this.request();
  }

  failed(error) {
    this.inFlight = false;
    this.note.textContent = error.message;
  }

  reply(msg) {
    this.inFlight = false;
    const a = msg.arrays;
    const n = a.alphas.shape[0];
    const l = a.losses.data;
    const z = Array.from({ length: n }, (_, j) => Array.from(l.subarray(j * n, (j + 1) * n)));
    const path = a.path.data;
    const m = a.path.shape[0];
    const px = Array.from({ length: m }, (_, k) => path[2 * k]);
    const py = Array.from({ length: m }, (_, k) => path[2 * k + 1]);
    const steps = msg.path_steps.map((s) => `step ${s}`);
    const traces = [
      { type: "contour", x: Array.from(a.alphas.data), y: Array.from(a.betas.data), z,
        colorscale: "Viridis", ncontours: 24, contours: { coloring: "heatmap" },
        colorbar: { title: { text: "loss" }, thickness: 12 }, hovertemplate: "loss %{z:.4g}<extra></extra>" },
      { type: "scatter", x: px, y: py, mode: "lines+markers", text: steps, name: "path taken",
        hovertemplate: "%{text}<extra></extra>", line: { color: "#fff", width: 2 },
        marker: { size: 6, color: "#fff", line: { color: "#111", width: 1 } } },
      { type: "scatter", x: [0], y: [0], mode: "markers", name: "now", hoverinfo: "skip",
        marker: { symbol: "star", size: 16, color: "#d62728", line: { color: "#fff", width: 1 } } },
    ];
    const kind = msg.directions === "random" ? "random filter-normalized directions"
      : "the top two directions of the run's own path";
    Plotly.react(this.plot, traces, {
      font: FONT, margin: { l: 45, r: 10, t: 10, b: 35 }, showlegend: false,
      xaxis: { title: { text: "direction 1" }, range: [-msg.span, msg.span] },
      yaxis: { title: { text: "direction 2" }, range: [-msg.span, msg.span] },
      uirevision: msg.directions,
    }, PLOT_CONFIG);
    Plotly.react(this.slice, [
      { type: "scatter", x: Array.from(a.slice_t.data), y: Array.from(a.slice_losses.data),
        mode: "lines", line: { color: "#0072B2", width: 2 }, hovertemplate: "%{y:.4g}<extra></extra>" },
      { type: "scatter", x: [0], y: [msg.center_loss], mode: "markers", hoverinfo: "skip",
        marker: { symbol: "star", size: 12, color: "#d62728" } },
    ], {
      font: FONT, margin: { l: 45, r: 10, t: 5, b: 35 }, showlegend: false,
      xaxis: { title: { text: "along the last update (× weight norm)" } },
      yaxis: { title: { text: "loss" } },
    }, PLOT_CONFIG);
    const loss = msg.center_loss === null ? "not finite" : msg.center_loss.toFixed(4);
    this.note.textContent = `Step ${msg.step}: training loss ${loss} at ★, `
      + `around it along ${kind}; the white path is where the run came from.`;
    this.drawn += 1;
    this.plot.dataset.drawn = String(this.drawn);
    this.plot.dataset.step = String(msg.step);
    this.plot.dataset.center = String(msg.center_loss);
  }
}
