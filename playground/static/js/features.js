/**
 * Input features: readable labels, and pictures of the built-in inputs for features that
 * are switched off. Frames carry only the active features' grids, so an inactive one is
 * drawn from its formula: a fixed picture of the input itself, not of the network. A
 * feature the page does not know stays blank until switched on; its label comes from
 * /api/options, so it still appears with no front-end change.
 */
import { gridLut, paintGrid } from "./colors.js";
import { humanize } from "./options.js";

const SIDE = 24;

/** The built-in inputs over the input square (x1, x2 in [-6, 6]). */
const FORMULAS = {
  x1: (a) => a,
  x2: (a, b) => b,
  x1_sq: (a) => a * a,
  x2_sq: (a, b) => b * b,
  x1x2: (a, b) => a * b,
  sin_x1: (a) => Math.sin(a),
  sin_x2: (a, b) => Math.sin(b),
  r: (a, b) => Math.hypot(a, b),
  theta: (a, b) => Math.atan2(b, a),
};

const LABELS = {
  x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin(x₁)",
  sin_x2: "sin(x₂)", r: "r", theta: "θ",
};

/** The label to show: the server's own label first. */
export function labelOfFeature(name, label = null) {
  return label || LABELS[name] || humanize(name);
}

/** Paint a feature's picture from its formula; false when the feature is unknown. */
export function paintFeatureFormula(canvas, name, lut) {
  const formula = FORMULAS[name];
  if (!formula) return false;
  const values = new Float32Array(SIDE * SIDE);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < SIDE; i++) {
    for (let j = 0; j < SIDE; j++) {
      const v = formula(-6 + (12 * j) / (SIDE - 1), -6 + (12 * i) / (SIDE - 1));
      values[i * SIDE + j] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const q = new Uint8Array(values.length);
  if (hi > lo) values.forEach((v, k) => (q[k] = Math.round(((v - lo) / (hi - lo)) * 255)));
  gridLut(lo, hi, lut);
  paintGrid(canvas, q, 0, SIDE, lut);
  return true;
}
