/**
 * The output panel's Plotly plot: the decision boundary over the input square, the data
 * points (test points on a toggle) and a colour legend.
 *
 * Why the boundary is a layout image: a 100x100 Plotly heatmap trace costs ~10-15 ms to
 * recompute per frame, which alone would break the 25 ms budget. So each frame paints
 * the uint8 grid through a lookup table into a canvas (like the neuron pictures) and
 * swaps the image source with one cheap `Plotly.relayout`. Points and legend change
 * rarely and are updated with `Plotly.react` only when they do. The plot is never
 * re-created.
 */
import {
  CLASS_COLORS,
  DIVERGING,
  gridLut,
  hexToRgb,
  packColor,
  paintGrid,
  rgb,
} from "./colors.js";
import { resizeIfShown } from "./charts.js";

const EXTENT = 6;
const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
const FONT = { family: "system-ui, sans-serif", size: 14, color: "#222" };
const OFF_PLOT = [1000, 1001]; // where the legend-only trace lives (outside the axes)

export class Boundary {
  /** `compact`: no colour legend and thin margins (the compare sides). */
  constructor(el, onClickPoint = null, { compact = false } = {}) {
    this.el = el;
    this.compact = compact;
    this.onClickPoint = onClickPoint;
    this.canvas = document.createElement("canvas");
    this.lut = new Uint32Array(256);
    this.showTest = false;
    this.discretize = false;
    this.legendKey = "";
    this.dirty = true;
  }

  init() {
    const axis = {
      range: [-EXTENT, EXTENT], zeroline: false, showgrid: false, ticks: "outside",
      tickvals: [-6, -4, -2, 0, 2, 4, 6], fixedrange: true, linecolor: "#888", mirror: true,
    };
    if (this.compact) Object.assign(axis, { showticklabels: false, ticks: "" });
    this.layout = {
      margin: this.compact ? { l: 4, r: 4, t: 4, b: 4 } : { l: 36, r: 10, t: 6, b: 30 },
      xaxis: { ...axis, constrain: "domain" },
      yaxis: { ...axis, scaleanchor: "x", constrain: "domain" },
      font: FONT,
      showlegend: false,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#fff",
      images: [{ source: "", xref: "x", yref: "y", x: -EXTENT, y: EXTENT, sizex: 2 * EXTENT,
        sizey: 2 * EXTENT, xanchor: "left", yanchor: "top", sizing: "stretch",
        layer: "below", opacity: 0.8 }],
      uirevision: "keep",
    };
    this.data = [
      { type: "heatmap", x: OFF_PLOT, y: OFF_PLOT, z: [[0, 1], [0, 1]], hoverinfo: "skip",
        colorscale: DIVERGING, zmin: 0, zmax: 1, showscale: !this.compact,
        colorbar: { thickness: 14, len: 0.9, outlinewidth: 0, tickfont: { size: 13 } } },
      points("training points", "#fff"),
      points("test points", "#000"),
    ];
    Plotly.newPlot(this.el, this.data, this.layout, PLOT_CONFIG);
    // Follow the panel's size (layout changes, full screen), not only window resizes.
    new ResizeObserver(() => resizeIfShown(this.el)).observe(this.el);
    this.el.addEventListener("click", (e) => this.click(e));
  }

  /** A click inside the input square, in data coordinates (for adding custom points). */
  click(event) {
    const full = this.el._fullLayout; // Plotly's computed axes: pixel <-> data
    if (!this.onClickPoint || !full) return;
    const box = this.el.getBoundingClientRect();
    const x = full.xaxis.p2d(event.clientX - box.left - full.xaxis._offset);
    const y = full.yaxis.p2d(event.clientY - box.top - full.yaxis._offset);
    if (Math.abs(x) <= EXTENT && Math.abs(y) <= EXTENT) this.onClickPoint(x, y, event.shiftKey);
  }

  /** Draw a frame's output (or `neuron`, a hovered neuron's grid) and its points. */
  draw(frame, neuron = null) {
    if (frame.arrays.points) this.setPoints(frame);
    const out = frame.arrays.output;
    let legend;
    if (neuron) {
      const m = Math.max(Math.abs(neuron.range[0]), Math.abs(neuron.range[1]), 1e-9);
      gridLut(neuron.range[0], neuron.range[1], this.lut);
      paintGrid(this.canvas, neuron.data, neuron.offset, neuron.r, this.lut);
      legend = { scale: DIVERGING, lo: -m, hi: m };
    } else if (out.shape.length === 3) {
      paintClasses(this.canvas, out, this.discretize);
      legend = { classes: out.shape[0] };
    } else {
      const [lo, hi] = out.range;
      const mid = (lo + hi) / 2;
      if (this.discretize) thresholdLut(this.lut);
      else gridLut(lo - mid, hi - mid, this.lut);
      paintGrid(this.canvas, out.data, 0, out.shape[0], this.lut);
      legend = { scale: DIVERGING, lo, hi };
    }
    this.updateTraces(legend);
    Plotly.relayout(this.el, { "images[0].source": this.canvas.toDataURL() });
  }

  setPoints(frame) {
    const p = frame.arrays.points.data;
    const labels = frame.arrays.labels.data;
    const isTrain = frame.arrays.is_train.data;
    const sets = [{ x: [], y: [], c: [] }, { x: [], y: [], c: [] }];
    for (let k = 0; k < labels.length; k++) {
      const set = sets[isTrain[k] ? 0 : 1];
      set.x.push(p[2 * k]);
      set.y.push(p[2 * k + 1]);
      set.c.push(labels[k]);
    }
    sets.forEach((set, s) => {
      const trace = this.data[1 + s];
      trace.x = set.x;
      trace.y = set.y;
      if (frame.problem === "regression") {
        Object.assign(trace.marker, { color: set.c, colorscale: DIVERGING, cmin: -1, cmax: 1 });
      } else {
        trace.marker.color = set.c.map((c) => CLASS_COLORS[Math.round(c) % CLASS_COLORS.length]);
        delete trace.marker.colorscale;
      }
    });
    this.dirty = true;
  }

  /** React only when the legend or the points changed (rare), never per frame. */
  updateTraces(legend) {
    const key = JSON.stringify([legend, this.showTest]);
    if (!this.dirty && key === this.legendKey) return;
    this.dirty = false;
    this.legendKey = key;
    const heat = this.data[0];
    if (legend.classes) {
      const k = legend.classes;
      Object.assign(heat, { colorscale: classScale(k), zmin: 0, zmax: k });
      heat.colorbar.tickvals = Array.from({ length: k }, (_, c) => c + 0.5);
      heat.colorbar.ticktext = Array.from({ length: k }, (_, c) => `class ${c}`);
    } else {
      Object.assign(heat, { colorscale: legend.scale, zmin: legend.lo, zmax: legend.hi });
      heat.colorbar.tickvals = null;
      heat.colorbar.ticktext = null;
    }
    this.data[2].visible = this.showTest;
    // The traces are mutated in place, so tell Plotly.react they changed.
    this.layout.datarevision = (this.layout.datarevision || 0) + 1;
    Plotly.react(this.el, this.data, this.layout, PLOT_CONFIG);
  }

  /** Force the next draw to refresh traces (after a toggle). */
  invalidate() {
    this.dirty = true;
  }
}

function points(name, edge) {
  return {
    type: "scatter", mode: "markers", name, x: [], y: [], hoverinfo: "skip",
    visible: name === "training points",
    marker: { size: 7, color: [], line: { color: edge, width: 1.2 } },
  };
}

/** Plotly colorscale for K classes: each class fades from light (unsure) to full (sure). */
function classScale(k) {
  const scale = [];
  for (let c = 0; c < k; c++) {
    const full = hexToRgb(CLASS_COLORS[c % CLASS_COLORS.length]);
    scale.push([c / k, rgb(tint(full, 0.85))]);
    scale.push([(c + 1) / k - 1e-6, rgb(tint(full, 0.2))]);
  }
  scale[scale.length - 1][0] = 1;
  return scale;
}

function tint(color, t) {
  return color.map((v) => Math.round(v + (255 - v) * t));
}

/** Discretized binary output: below the middle orange, above blue. */
function thresholdLut(lut) {
  const lo = packColor(tint(hexToRgb("#f59322"), 0.1));
  const hi = packColor(tint(hexToRgb("#0877bd"), 0.1));
  for (let q = 0; q < 256; q++) lut[q] = q < 128 ? lo : hi;
}

/** Multiclass: each pixel in its most likely class's colour, paler where unsure. */
function paintClasses(canvas, out, discrete) {
  const [k, r] = out.shape;
  const [lo, hi] = out.range;
  if (canvas.width !== r) canvas.width = r;
  if (canvas.height !== r) canvas.height = r;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(r, r);
  const px = new Uint32Array(image.data.buffer);
  // 256 shades per class: index = class * 256 + certainty byte.
  const shades = new Uint32Array(k * 256);
  for (let c = 0; c < k; c++) {
    const full = hexToRgb(CLASS_COLORS[c % CLASS_COLORS.length]);
    for (let q = 0; q < 256; q++) {
      const p = lo + ((hi - lo) * q) / 255;
      const sure = discrete ? 1 : Math.min(Math.max((p - 1 / k) / (1 - 1 / k), 0), 1);
      shades[c * 256 + q] = packColor(tint(full, 0.85 - 0.65 * sure));
    }
  }
  const rr = r * r;
  const data = out.data;
  for (let i = 0; i < r; i++) {
    const dst = (r - 1 - i) * r;
    for (let j = 0; j < r; j++) {
      const at = i * r + j;
      let best = 0;
      let bestQ = data[at];
      for (let c = 1; c < k; c++) {
        const q = data[c * rr + at];
        if (q > bestQ) {
          bestQ = q;
          best = c;
        }
      }
      px[dst + j] = shades[best * 256 + bestQ];
    }
  }
  ctx.putImageData(image, 0, 0);
}
