/**
 * Hidden-space view: the data and the input square's grid lines as one hidden layer sees
 * them (its own axes for 1-3 units, else the top two principal components), with the
 * output's decision line (or class regions) over that space. The server computes it
 * (frames carry it while this view is open); this module only draws.
 */
import { CLASS_COLORS, DIVERGING } from "./colors.js";
import { FONT, PLOT_CONFIG, element, throttled } from "./insight_common.js";

const DRAW_MS = 120; // at most ~8 redraws a second: Plotly.react of ~1500 points

export class HiddenView {
  constructor(root, ctx) {
    this.ctx = ctx;
    this.layer = -1; // -1: the last hidden layer
    this.select = element("select", { testid: "hidden-layer", "aria-label": "Hidden layer" });
    this.select.addEventListener("change", () => {
      this.layer = Number(this.select.value);
      this.ctx.session.set({ hidden_layer: this.layer });
    });
    this.note = element("p", { className: "insight-note", testid: "hidden-note" });
    this.plot = element("div", { className: "insight-plot", testid: "hidden-plot" });
    root.append(element("label", {}, "Layer ", this.select), this.note, this.plot);
    this.draw = throttled((frame) => this.render(frame), DRAW_MS);
    this.depth = -1;
    this.drawn = 0; // frames drawn (tests read it from data-drawn)
  }

  open() {
    this.ctx.session.set({ hidden_layer: this.layer < 0 ? this.ctx.maxHiddenLayer : this.layer });
  }

  close() {
    this.ctx.session.set({ hidden_layer: -1 });
  }

  frame(frame) {
    this.options(frame.layer_sizes.length - 2);
    if (!frame.hidden_space) {
      if (frame.layer_sizes.length <= 2) this.note.textContent = "This network has no hidden layer.";
      return;
    }
    this.draw(frame);
  }

  options(depth) {
    if (depth === this.depth) return;
    this.depth = depth;
    this.select.replaceChildren(
      ...Array.from({ length: depth }, (_, k) => element("option", { value: String(k) },
        `${k + 1}${k === depth - 1 ? " (last)" : ""}`)),
    );
    const shown = this.layer < 0 || this.layer >= depth ? depth - 1 : this.layer;
    this.select.value = String(shown);
  }

  render(frame) {
    const hs = frame.hidden_space;
    const a = frame.arrays;
    if (hs.error) {
      this.note.textContent = `Layer ${hs.layer + 1}: ${hs.error}.`;
      return;
    }
    this.select.value = String(hs.layer);
    const d = hs.dims;
    const labels = this.ctx.labels(frame.run);
    const pts = a.hs_points.data;
    const n = a.hs_points.shape[0];
    const coord = (k) => Array.from({ length: n }, (_, i) => pts[i * d + k]);
    const colors = pointColors(labels, n, frame.problem);
    const traces = [];
    const [lines, samples] = a.hs_lattice.shape;
    const lat = a.hs_lattice.data;
    const lx = [];
    const ly = [];
    const lz = [];
    for (let l = 0; l < lines; l++) {
      for (let s = 0; s < samples; s++) {
        const o = (l * samples + s) * d;
        lx.push(lat[o]);
        ly.push(d > 1 ? lat[o + 1] : 0);
        if (d === 3) lz.push(lat[o + 2]);
      }
      lx.push(null);
      ly.push(null);
      if (d === 3) lz.push(null);
    }
    const lattice = { x: lx, y: ly, mode: "lines", hoverinfo: "skip", name: "input grid",
      line: { color: "rgba(80,80,80,0.35)", width: 1 } };
    const points = { x: coord(0), y: d > 1 ? coord(1) : new Array(n).fill(0), mode: "markers",
      name: "data", hoverinfo: "skip", marker: { size: 5, color: colors, line: { width: 0 } } };
    if (d === 3) {
      traces.push({ ...lattice, type: "scatter3d", z: lz },
        { ...points, type: "scatter3d", z: coord(2), marker: { ...points.marker, size: 3 } });
      if (a.hs_field && hs.threshold !== null) traces.push(isosurface(a, hs.threshold));
    } else {
      if (a.hs_field) traces.push(fieldTrace(a, hs.threshold, frame.problem));
      traces.push({ ...lattice, type: "scatter" }, { ...points, type: "scatter" });
    }
    const title = hs.method === "pca"
      ? `Layer ${hs.layer + 1} (${hs.width} units): top 2 principal components, explaining `
        + `${hs.explained_variance.map((v) => `${(100 * v).toFixed(0)}%`).join(" + ")} of the variance`
      : `Layer ${hs.layer + 1}: ${hs.width} unit${hs.width > 1 ? "s" : ""}, drawn in its own axes`;
    this.note.textContent = `${title}. Lines: the input square's grid, bent by the network.`;
    const axis = (t) => ({ title: { text: t }, zeroline: false });
    const names = hs.method === "pca" ? ["PC 1", "PC 2"] : ["unit 1", "unit 2", "unit 3"];
    const layout = {
      font: FONT, margin: { l: 50, r: 10, t: 10, b: 40 }, showlegend: false,
      uirevision: `${hs.layer}-${d}`,
      xaxis: axis(names[0]), yaxis: axis(d > 1 ? names[1] : ""),
    };
    if (d === 3) {
      layout.scene = { xaxis: { title: names[0] }, yaxis: { title: names[1] },
        zaxis: { title: names[2] } };
    }
    Plotly.react(this.plot, traces, layout, PLOT_CONFIG);
    this.drawn += 1;
    this.plot.dataset.drawn = String(this.drawn);
    this.plot.dataset.step = String(frame.step);
  }
}

function pointColors(labels, n, problem) {
  if (!labels || labels.length !== n) return "#777";
  if (problem === "regression") {
    return Array.from(labels, (v) => (v < 0 ? "#f59322" : "#0877bd"));
  }
  return Array.from(labels, (c) => CLASS_COLORS[Math.round(c) % CLASS_COLORS.length]);
}

function fieldTrace(a, threshold, problem) {
  const [rows, cols] = a.hs_field.shape;
  const f = a.hs_field.data;
  const z = Array.from({ length: rows }, (_, j) => Array.from(f.subarray(j * cols, (j + 1) * cols)));
  const base = { x: Array.from(a.hs_axis0.data), y: Array.from(a.hs_axis1.data), z,
    hoverinfo: "skip", showscale: false };
  if (threshold !== null) {
    // the decision line, over a faint picture of the output
    return { ...base, type: "contour", colorscale: DIVERGING, opacity: 0.45,
      contours: { start: threshold, end: threshold, size: 1, coloring: "heatmap",
        showlines: true }, line: { color: "#111", width: 3 } };
  }
  if (problem === "multiclass") {
    const k = Math.max(...f) + 1;
    const scale = Array.from({ length: k }, (_, c) => [
      [c / Math.max(k, 1), CLASS_COLORS[c % CLASS_COLORS.length]],
      [(c + 1) / Math.max(k, 1), CLASS_COLORS[c % CLASS_COLORS.length]],
    ]).flat();
    return { ...base, type: "heatmap", colorscale: scale, zmin: -0.5, zmax: k - 0.5,
      opacity: 0.3 };
  }
  return { ...base, type: "heatmap", colorscale: DIVERGING, opacity: 0.4 };
}

function isosurface(a, threshold) {
  const [n] = a.hs_field.shape;
  const [ax, ay, az] = [a.hs_axis0.data, a.hs_axis1.data, a.hs_axis2.data];
  const x = [];
  const y = [];
  const z = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        x.push(ax[i]);
        y.push(ay[j]);
        z.push(az[k]);
      }
    }
  }
  return { type: "isosurface", x, y, z, value: Array.from(a.hs_field.data),
    isomin: threshold, isomax: threshold, surface: { count: 1 }, opacity: 0.35,
    colorscale: [[0, "#444"], [1, "#444"]], showscale: false, hoverinfo: "skip",
    caps: { x: { show: false }, y: { show: false }, z: { show: false } } };
}
