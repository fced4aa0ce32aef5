/**
 * The sweep view: one or two settings varied over up to 16 runs that the server trains
 * together (one stack), shown as small multiples (each cell its decision boundary and
 * test loss), a heatmap of test loss over the swept values, the spread across seeds
 * (min / median / max) when the seed is swept, and on request every run's test-loss
 * curve overlaid. A cell opens as the main run (a fork of that cell) or beside it to
 * compare. Which settings can be swept, their starting ranges and the limits come from
 * `/api/options` (`sweep`); nothing here is trained or sent while the panel is closed.
 */
import { CLASS_COLORS, gridLut, hexToRgb, packColor, paintGrid } from "./colors.js";

const PLOT_CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
const CHART_MS = 1000; // while playing, heatmap and curves redraw at most once a second
const SIGNED_LUT = gridLut(-1, 1);
const CLASS_LUT = (() => {
  const lut = new Uint32Array(256);
  CLASS_COLORS.forEach((hex, k) => { lut[k] = packColor(hexToRgb(hex)); });
  return lut;
})();

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function show(value) {
  if (value === null || value === undefined) return "–";
  return typeof value === "number" ? Number(value.toPrecision(3)).toString() : String(value);
}

export class SweepView {
  /**
   * @param {HTMLElement} root the panel (data-testid="sweep")
   * @param {object} session api.js Session (sweep commands)
   * @param {object} rules `/api/options` -> sweep
   * @param {object} hooks tell(text)
   */
  constructor(root, session, rules, hooks) {
    this.root = root;
    this.session = session;
    this.rules = rules || { fields: [], max_runs: 16, note: "" };
    this.hooks = hooks;
    this.cells = []; // {el, canvas, label, loss}
    this.axes = [];
    this.playing = false;
    this.chartAt = 0;
    this.frames = 0;
  }

  build() {
    const r = this.root;
    r.replaceChildren();
    const head = el("div", { class: "sweep-head" });
    head.append(el("h2", { id: "sweep-title" }, "Sweep"));
    const close = el("button", { type: "button", "data-testid": "sweep-close",
      "aria-label": "Close the sweep" }, "✕");
    close.addEventListener("click", () => this.close());
    head.append(close);
    const form = el("div", { class: "sweep-form" });
    this.first = this.axisPicker("sweep-field-1", "sweep-values-1", false);
    this.second = this.axisPicker("sweep-field-2", "sweep-values-2", true);
    this.start = el("button", { type: "button", "data-testid": "sweep-start" }, "Start sweep");
    this.start.addEventListener("click", () => this.begin());
    this.play = el("button", { type: "button", "data-testid": "sweep-play", disabled: "" },
      "Play");
    this.play.addEventListener("click", () => this.togglePlay());
    const curves = el("label", {}, "");
    this.curvesBox = el("input", { type: "checkbox", "data-testid": "sweep-curves" });
    this.curvesBox.addEventListener("change", () => this.setCurves());
    curves.append(this.curvesBox, document.createTextNode(" Loss curves"));
    form.append(this.first.node, el("span", {}, "and"), this.second.node, this.start,
      this.play, curves);
    const note = el("p", { class: "sweep-note" },
      `Up to ${this.rules.max_runs} runs, trained together. ${this.rules.note}`);
    this.status = el("p", { class: "sweep-status", "data-testid": "sweep-status",
      role: "status" }, "Choose what to vary, then start.");
    this.grid = el("div", { class: "sweep-grid", "data-testid": "sweep-grid" });
    const charts = el("div", { class: "sweep-charts" });
    this.heat = el("div", { class: "sweep-heatmap", "data-testid": "sweep-heatmap" });
    this.curvesEl = el("div", { class: "sweep-curves", hidden: "" });
    this.spread = el("table", { class: "sweep-spread", "data-testid": "sweep-spread",
      hidden: "" });
    charts.append(this.heat, this.curvesEl, this.spread);
    const body = el("div", { class: "sweep-body" });
    body.append(this.grid, charts);
    r.append(head, form, note, this.status, body);
  }

  axisPicker(fieldId, valuesId, optional) {
    const node = el("span", { class: "sweep-axis" });
    const select = el("select", { "data-testid": fieldId, "aria-label": optional
      ? "Second setting to vary (optional)" : "Setting to vary" });
    if (optional) select.append(el("option", { value: "" }, "nothing else"));
    for (const f of this.rules.fields) select.append(el("option", { value: f.name }, f.label));
    if (optional) select.value = "seed";
    const input = el("input", { type: "text", "data-testid": valuesId, size: "22",
      "aria-label": "Values: a:b:log:n, a:b:lin:n, a:b (integers) or v1,v2" });
    const sync = () => {
      const f = this.rules.fields.find((x) => x.name === select.value);
      input.value = f ? f.default : "";
      input.disabled = !f;
    };
    select.addEventListener("change", sync);
    sync();
    node.append(select, input);
    return { node, select, input };
  }

  open() {
    if (!this.root.childElementCount) this.build();
    this.root.hidden = false;
  }

  /** The Sweep button: show the panel, or hide it (pausing the sweep: hidden costs nothing). */
  toggle() {
    if (this.root.hidden) {
      this.open();
      return;
    }
    if (this.playing) this.session.sweep("pause");
    this.root.hidden = true;
  }

  close() {
    this.session.sweep("close");
    this.root.hidden = true;
    this.playing = false;
  }

  begin() {
    const vary = {};
    for (const axis of [this.first, this.second]) {
      if (axis.select.value) vary[axis.select.value] = axis.input.value.trim();
    }
    this.status.textContent = "Starting…";
    this.session.sweep("start", { vary, curves: this.curvesBox.checked });
  }

  togglePlay() {
    this.session.sweep(this.playing ? "pause" : "play");
  }

  setCurves() {
    this.curvesEl.hidden = !this.curvesBox.checked;
    this.session.sweep("view", { curves: this.curvesBox.checked });
  }

  /** `sweep` JSON messages: ready (a new grid), playing / paused / diverged, closed. */
  onMessage(message) {
    if (message.state === "closed") return;
    if (message.state === "ready") this.layout(message);
    this.playing = message.state === "playing";
    this.play.disabled = false;
    this.play.textContent = this.playing ? "Pause" : "Play";
    this.play.setAttribute("aria-pressed", String(this.playing));
    this.status.textContent = {
      ready: `${message.cells.length} runs ready: press Play.`,
      playing: "Training every run together…",
      paused: "Paused.",
      diverged: "Every run diverged.",
    }[message.state] || "";
  }

  /** Errors answering a sweep command are shown in the panel. */
  onError(message) {
    this.status.textContent = `${message.field ? `${message.field}: ` : ""}${message.message}`;
  }

  layout(message) {
    this.axes = message.axes;
    this.grid.replaceChildren();
    this.cells = [];
    const columns = this.axes.length > 1 ? this.axes[1].values.length : message.cells.length;
    this.grid.style.setProperty("--columns", String(Math.min(columns, 8)));
    for (const cell of message.cells) {
      const box = el("div", { class: "sweep-cell", "data-testid": `sweep-cell-${cell.index}` });
      const canvas = el("canvas", { width: "32", height: "32", role: "img",
        "aria-label": `Decision boundary of run ${cell.index + 1}` });
      const label = el("div", { class: "sweep-label" },
        Object.entries(cell.values).map(([k, v]) => `${k} ${show(v)}`).join(" · "));
      const loss = el("div", { class: "sweep-loss", "data-testid": `sweep-loss-${cell.index}` },
        "test loss –");
      const actions = el("div", { class: "sweep-actions" });
      const main = el("button", { type: "button", "data-testid": `sweep-open-${cell.index}`,
        title: "Continue this run as the main run" }, "Open");
      main.addEventListener("click", () => this.openCell(cell.index, true));
      const side = el("button", { type: "button", "data-testid": `sweep-compare-${cell.index}`,
        title: "Open this run beside the main run to compare" }, "Compare");
      side.addEventListener("click", () => this.openCell(cell.index, false));
      actions.append(main, side);
      box.append(canvas, label, loss, actions);
      this.grid.append(box);
      this.cells.push({ el: box, canvas, loss });
    }
  }

  /** Open a cell as a run; the panel steps aside (paused, kept) to show it. */
  openCell(index, replace) {
    if (this.playing) this.session.sweep("pause");
    this.session.sweep("open", { cell: index, replace });
    this.root.hidden = true;
    this.hooks.tell(replace ? `Sweep run ${index + 1} is now the main run.`
      : `Sweep run ${index + 1} opened beside the main run.`);
  }

  /** Draw a sweep frame: thumbnails and losses now, charts at most every CHART_MS. */
  draw(frame) {
    if (this.root.hidden || this.cells.length !== frame.cells.length) return;
    this.frames += 1;
    this.root.dataset.frames = String(this.frames);
    const thumbs = frame.arrays.thumbs;
    const r = thumbs.shape[1];
    const lut = thumbs.range ? SIGNED_LUT : CLASS_LUT;
    frame.cells.forEach((cell, k) => {
      const view = this.cells[k];
      paintGrid(view.canvas, thumbs.data, k * r * r, r, lut);
      view.loss.textContent = cell.diverged ? "diverged" : `test loss ${show(cell.test_loss)}`;
      view.loss.dataset.value = cell.test_loss === null ? "" : String(cell.test_loss);
      view.el.dataset.step = String(cell.step);
      view.el.classList.toggle("diverged", Boolean(cell.diverged));
    });
    const now = performance.now();
    if (now - this.chartAt < CHART_MS && this.playing) return;
    this.chartAt = now;
    this.drawHeatmap(frame);
    this.drawSpread(frame.spread);
    if (this.curvesBox.checked) this.drawCurves(frame);
  }

  drawHeatmap(frame) {
    const [a, b] = this.axes;
    const rows = b ? a.values.length : 1;
    const cols = b ? b.values.length : a.values.length;
    const z = [];
    for (let i = 0; i < rows; i++) {
      z.push(frame.cells.slice(i * cols, (i + 1) * cols).map((c) => c.test_loss));
    }
    const x = (b || a).values.map(show);
    const y = b ? a.values.map(show) : ["test loss"];
    const trace = { type: "heatmap", z, x, y, colorscale: "Viridis", reversescale: true,
      colorbar: { title: { text: "test loss" } }, xgap: 1, ygap: 1,
      texttemplate: "%{z:.3g}", hovertemplate: "%{y} · %{x}: test loss %{z:.4g}<extra></extra>" };
    const layout = { margin: { l: 70, r: 10, t: 10, b: 40 }, height: 200,
      xaxis: { title: { text: (b || a).field }, type: "category" },
      yaxis: { title: { text: b ? a.field : "" }, type: "category" } };
    Plotly.react(this.heat, [trace], layout, PLOT_CONFIG);
  }

  drawSpread(rows) {
    this.spread.hidden = !rows;
    if (!rows) return;
    const head = "<tr><th></th><th>min</th><th>median</th><th>max</th><th>seeds</th></tr>";
    this.spread.innerHTML = head + rows.map((row) => `<tr><th>${row.field
      ? `${row.field} ${show(row.value)}` : "across seeds"}</th><td>${show(row.min)}</td>`
      + `<td>${show(row.median)}</td><td>${show(row.max)}</td><td>${row.runs}</td></tr>`).join("");
  }

  drawCurves(frame) {
    const traces = frame.cells.filter((c) => c.curve).map((c) => ({
      type: "scatter", mode: "lines", x: c.curve.epoch, y: c.curve.test_loss,
      line: { width: 1.5 },
      name: Object.values(c.values).map(show).join(" / "),
    }));
    const layout = { margin: { l: 50, r: 10, t: 10, b: 30 }, height: 200,
      xaxis: { title: { text: "epoch" } }, yaxis: { title: { text: "test loss" } },
      showlegend: false };
    Plotly.react(this.curvesEl, traces, layout, PLOT_CONFIG);
  }
}
