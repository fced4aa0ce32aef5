/** Shared pieces of the insight views (see insight.js): Plotly settings, DOM, throttling. */

/** Shared Plotly settings and a small helper for the views. */
export const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
export const FONT = { family: "system-ui, sans-serif", size: 13, color: "#222" };

export function element(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "testid") el.setAttribute("data-testid", v);
    else if (k in el) el[k] = v;
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

/** Call `draw` at most every `ms`, always with the newest argument. */
export function throttled(draw, ms) {
  let last = 0;
  let pending = null;
  let timer = null;
  return (arg) => {
    pending = arg;
    const wait = last + ms - performance.now();
    if (wait <= 0) {
      last = performance.now();
      draw(pending);
      pending = null;
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        if (pending !== null) {
          last = performance.now();
          draw(pending);
          pending = null;
        }
      }, wait);
    }
  };
}
