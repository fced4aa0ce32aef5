/**
 * Links of the network diagram: which are drawn and how thick (issue 10).
 *
 * Past ~16 neurons in a layer, every link at full strength is a solid mass of colour. The
 * `LinkFilter` owns the user's choice of a |w| threshold ("auto" or a number); the rule
 * behind "auto" and the choices come from the server (`/api/options` → `diagram`), so the
 * page only looks them up. `paintLinks` draws one canvas of links with that threshold:
 * hidden links are skipped, and in a dense diagram the faint ones kept are drawn thinner.
 */
import { NEGATIVE, POSITIVE } from "./colors.js";

const FALLBACK_RULE = { default: "auto", choices: [0], description: "",
  auto: { dense_neurons: Infinity, dense: 0, sparse: 0 } };

export class LinkFilter {
  /** @param {object} rule `options.diagram.link_threshold` from the server */
  constructor(rule = FALLBACK_RULE) {
    this.rule = rule;
    this.choice = rule.default; // "auto" or a number
    this.listeners = [];
    this.controls = [];
  }

  /** Whether a network of these layer sizes (inputs, hidden..., outputs) is dense. */
  dense(layerSizes) {
    const hidden = layerSizes.slice(1, -1);
    return hidden.length > 0 && Math.max(...hidden) >= this.rule.auto.dense_neurons;
  }

  /** The |w| below which links are hidden, for a network of these layer sizes. */
  threshold(layerSizes) {
    if (this.choice !== "auto") return this.choice;
    return this.dense(layerSizes) ? this.rule.auto.dense : this.rule.auto.sparse;
  }

  set(choice) {
    this.choice = choice === "auto" ? "auto" : Number(choice);
    for (const select of this.controls) select.value = String(this.choice);
    for (const listener of this.listeners) listener();
  }

  /** Call `listener` on every change; returns a function that stops it. */
  onChange(listener) {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** A labelled select for the threshold (kept in sync with every other one built). */
  control(layerSizes = []) {
    const label = document.createElement("label");
    label.className = "link-filter";
    label.title = this.rule.description;
    const select = document.createElement("select");
    select.setAttribute("data-testid", "link-threshold");
    const auto = this.dense(layerSizes) ? this.rule.auto.dense : this.rule.auto.sparse;
    select.append(new Option(`auto (${auto})`, "auto"));
    for (const c of this.rule.choices) select.append(new Option(c === 0 ? "0 (all)" : String(c), String(c)));
    select.value = String(this.choice);
    select.addEventListener("change", () => this.set(select.value));
    this.controls = this.controls.filter((s) => s.isConnected);
    this.controls.push(select);
    label.append("Hide links |w| <", select);
    return label;
  }
}

/**
 * Draw `links` ([{layer, i, j, geometry: [ax, ay, mx, bx, by]}]) on `canvas`, coloured by
 * sign and sized by |w| (`value(layer, i, j)` gives w, or null when unknown). Returns the
 * number of links drawn and a Set of the hidden ones' indices.
 */
export function paintLinks(canvas, ratio, links, value, { threshold, dense, straight,
  scale = 1 }) {
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.globalAlpha = 0.85;
  // Dense: the faintest links start thinner, so the strong ones stand out.
  const base = dense ? 0.35 : 1;
  const hidden = new Set();
  let drawn = 0;
  links.forEach((link, k) => {
    const w = value(link.layer, link.i, link.j);
    if (w !== null && Math.abs(w) < threshold) {
      hidden.add(k);
      return;
    }
    const [ax, ay, mx, bx, by] = link.geometry;
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    if (straight) ctx.lineTo(bx, by);
    else ctx.bezierCurveTo(mx, ay, mx, by, bx, by);
    ctx.strokeStyle = w === null ? "#bbb" : w < 0 ? NEGATIVE : POSITIVE;
    ctx.lineWidth = scale * (w === null ? 1 : Math.min(base + Math.abs(w) * 2.5, 10));
    // Dense: faint links also fade, so the mass of small weights recedes.
    if (dense) ctx.globalAlpha = w === null ? 0.5 : Math.min(0.85, 0.3 + Math.abs(w));
    ctx.stroke();
    drawn += 1;
  });
  return { drawn, hidden };
}
