/**
 * One colour vocabulary for the whole page, colour-blind safe: orange = negative / class 0,
 * blue = positive / class 1 (TF Playground's diverging scale), Okabe-Ito for 3-5 classes.
 * Heatmaps are painted from uint8 grids through 256-entry lookup tables into ImageData.
 */

export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
export const WHITE = [248, 248, 248];
export const NEGATIVE = "#f59322";
export const POSITIVE = "#0877bd";

/** Okabe-Ito colours (skipping black/yellow that vanish on white or projectors). */
export const CLASS_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00"];

/** The diverging scale as Plotly colorscale: lo orange, middle light, hi blue. */
export const DIVERGING = [
  [0, rgb(ORANGE)],
  [0.5, rgb(WHITE)],
  [1, rgb(BLUE)],
];

export function rgb(c) {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function hexToRgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function mix(a, b, t) {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
}

/** Diverging colour for t in [-1, 1]. */
export function divergingColor(t) {
  const c = Math.max(-1, Math.min(1, t));
  return c < 0 ? mix(WHITE, ORANGE, -c) : mix(WHITE, BLUE, c);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A colour packed as one ImageData pixel (Uint32, host byte order). */
export function packColor(c, alpha = 255) {
  return LITTLE_ENDIAN
    ? ((alpha << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0
    : ((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | alpha) >>> 0;
}

/** 511 packed diverging colours over t in [-1, 1]; indexed by round((t + 1) * 255). */
const DIVERGING_PACKED = (() => {
  const table = new Uint32Array(511);
  for (let k = 0; k < 511; k++) table[k] = packColor(divergingColor(k / 255 - 1));
  return table;
})();

/**
 * A 256-entry lookup table for one grid quantized on [lo, hi]: the value's colour on a
 * scale symmetric around 0 (so the sign always reads the same: orange < 0 < blue).
 */
export function gridLut(lo, hi, out = new Uint32Array(256)) {
  const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
  for (let q = 0; q < 256; q++) {
    const v = lo + ((hi - lo) * q) / 255;
    out[q] = DIVERGING_PACKED[Math.round((v / m + 1) * 255)];
  }
  return out;
}

/**
 * Paint an r x r uint8 grid (row 0 = bottom of the input square) into a canvas through a
 * lookup table. `offset` is where the grid starts inside `data`.
 */
export function paintGrid(canvas, data, offset, r, lut) {
  if (canvas.width !== r) canvas.width = r;
  if (canvas.height !== r) canvas.height = r;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(r, r);
  const out = new Uint32Array(image.data.buffer);
  for (let i = 0; i < r; i++) {
    const src = offset + i * r;
    const dst = (r - 1 - i) * r; // flip: canvas row 0 is the top
    for (let j = 0; j < r; j++) out[dst + j] = lut[data[src + j]];
  }
  ctx.putImageData(image, 0, 0);
}

/** A 256-entry table from white (probability 0) to a class colour (probability 1). */
export function classLut(hex, out = new Uint32Array(256)) {
  const full = hexToRgb(hex);
  for (let q = 0; q < 256; q++) out[q] = packColor(mix(WHITE, full, q / 255));
  return out;
}
