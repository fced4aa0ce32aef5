/**
 * Training health for practitioners: per weight layer, the gradient and weight norms,
 * the update-to-weight ratio (rule of thumb: around 1e-3 is healthy), the share of dead
 * or saturated units and a histogram of the layer's activations. Values outside the
 * usual range are flagged in words, so the table teaches as well as measures.
 */

const WARN = {
  update_ratio: (v) => (v > 3e-2 ? "large updates: lower the learning rate?" :
    v < 1e-5 ? "tiny updates: raise the learning rate?" : null),
  dead_fraction: (v) => (v > 0.5 ? "most units never fire (dead ReLUs?)" : null),
  saturated_fraction: (v) => (v > 0.5 ? "most units saturated: smaller weights or rate?" : null),
};

export class DiagnosticsView {
  constructor(root) {
    this.root = root;
    this.rows = [];
    this.key = "";
  }

  show(visible) {
    this.root.hidden = !visible;
  }

  draw(diagnostics) {
    if (this.root.hidden || !diagnostics || !Array.isArray(diagnostics.layers)) return;
    const layers = diagnostics.layers;
    if (String(layers.length) !== this.key) this.build(layers.length);
    layers.forEach((d, k) => {
      const row = this.rows[k];
      row.cells.grad_norm.textContent = num(d.grad_norm);
      row.cells.weight_norm.textContent = num(d.weight_norm);
      for (const name of ["update_ratio", "dead_fraction", "saturated_fraction"]) {
        const v = d[name];
        const cell = row.cells[name];
        cell.textContent = name === "update_ratio" ? num(v) : pct(v);
        const warning = v === null || v === undefined ? null : WARN[name](v);
        cell.classList.toggle("warn", warning !== null);
        cell.title = warning || "";
      }
      if (d.histogram) drawHistogram(row.canvas, d.histogram.counts);
    });
  }

  build(n) {
    this.key = String(n);
    const table = document.createElement("table");
    table.innerHTML =
      "<caption>Training health per layer</caption><thead><tr><th scope=col>layer</th>" +
      "<th scope=col>|grad|</th><th scope=col>|W|</th><th scope=col>update / W</th>" +
      "<th scope=col>dead</th><th scope=col>saturated</th><th scope=col>activations</th>" +
      "</tr></thead>";
    const body = document.createElement("tbody");
    this.rows = [];
    for (let k = 0; k < n; k++) {
      const tr = document.createElement("tr");
      const cells = {};
      const head = document.createElement("th");
      head.scope = "row";
      head.textContent = k === n - 1 ? "output" : String(k + 1);
      tr.append(head);
      for (const name of ["grad_norm", "weight_norm", "update_ratio", "dead_fraction",
        "saturated_fraction"]) {
        cells[name] = document.createElement("td");
        tr.append(cells[name]);
      }
      const td = document.createElement("td");
      const canvas = document.createElement("canvas");
      canvas.width = 80;
      canvas.height = 18;
      canvas.setAttribute("aria-label", `Histogram of layer ${k + 1} activations`);
      td.append(canvas);
      tr.append(td);
      body.append(tr);
      this.rows.push({ cells, canvas });
    }
    table.append(body);
    this.root.replaceChildren(table);
  }
}

function num(v) {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(3) : v.toExponential(1);
}

function pct(v) {
  return v === null || v === undefined ? "–" : `${Math.round(100 * v)}%`;
}

function drawHistogram(canvas, counts) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(...counts, 1);
  const w = canvas.width / counts.length;
  ctx.fillStyle = "#555";
  counts.forEach((c, k) => {
    const h = (c / max) * canvas.height;
    ctx.fillRect(k * w, canvas.height - h, Math.max(w - 1, 1), h);
  });
}
