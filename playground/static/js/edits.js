/**
 * User intent -> config changes: the rules that keep a partial change valid as a whole.
 *
 * Nullable fields the user left on "auto" (problem, loss, initializer) are sent as null
 * with every change so the server derives them again (a new dataset brings its own
 * problem type and loss). Per-layer lists (activation, dropout) follow the layer count.
 */
import { parsePoints } from "./api.js";
import { entries, entry } from "./options.js";

/** The custom dataset starts from a few points; click the output to add more. */
const STARTER_POINTS = [[-3, -3, 0], [3, 3, 0], [-3, 3, 1], [3, -3, 1]];

/**
 * The `set` changes for a user change, updating `page.auto`: null means "automatic".
 * Picking a dataset puts the problem type back on automatic (custom data keeps it), and
 * the loss too when the new dataset poses another kind of problem.
 */
export function runChanges(page, changes) {
  if ("dataset" in changes && changes.dataset !== "custom") {
    page.auto.add("problem");
    const info = entry(page.options.datasets, changes.dataset);
    if (!info || !page.config || info.problem !== page.config.problem) page.auto.add("loss");
  }
  if ("problem" in changes) page.auto.add("loss");
  for (const [name, value] of Object.entries(changes)) {
    if (page.fields[name] && page.fields[name].default === null) {
      if (value === null) page.auto.add(name);
      else page.auto.delete(name);
    }
  }
  const nulls = Object.fromEntries([...page.auto].map((name) => [name, null]));
  return { ...nulls, ...changes };
}

function perLayer(value, n) {
  return Array.isArray(value) ? value.slice(0, n) : Array(n).fill(value);
}

function resize(value, n, fill) {
  if (!Array.isArray(value)) return value;
  const out = value.slice(0, n);
  while (out.length < n) out.push(out.length ? out[out.length - 1] : fill);
  return out;
}

export class Edits {
  /**
   * @param {object} page the page state (config, options, limits)
   * @param {(changes: object) => void} change sends a run change
   * @param {(text: string) => void} tell shows a message to the user
   */
  constructor(page, change, tell) {
    this.page = page;
    this.change = change;
    this.tell = tell;
  }

  pickDataset(name) {
    const changes = { dataset: name };
    if (name === "custom" && !this.page.config.custom_points) {
      changes.custom_points = STARTER_POINTS; // (how to add points: the hint under Data)
    }
    this.change(changes);
  }

  /** A click on the output with the custom dataset: add a point there. */
  addPoint(x1, x2, shift) {
    const config = this.page.config;
    if (!config || config.dataset !== "custom") return;
    const round = (v) => Math.round(v * 100) / 100;
    const points = [...(config.custom_points || []), [round(x1), round(x2), shift ? 0 : 1]];
    this.change({ custom_points: points });
  }

  /**
   * Custom points from a point file's text, parsed by the server (POST /api/points/parse,
   * the CLI's parser): a file it cannot read is refused whole, with the line that is wrong.
   */
  async loadCsv(text) {
    let rows;
    try {
      rows = await parsePoints(text);
    } catch (error) {
      this.tell(`The file was not loaded: ${error.message}`);
      return;
    }
    if (rows.length === 0) {
      this.tell("The file was not loaded: it has no rows of x1, x2, label.");
      return;
    }
    this.change({ dataset: "custom", custom_points: rows });
  }

  clearPoints() {
    // The server needs a few points; keep the starter set rather than none.
    this.change({ custom_points: STARTER_POINTS });
  }

  layers(hidden) {
    const c = this.page.config;
    this.change({
      hidden,
      activation: resize(c.activation, hidden.length, "tanh"),
      dropout: resize(c.dropout, hidden.length, 0),
    });
  }

  addLayer() {
    const hidden = this.page.config.hidden;
    this.layers([...hidden, hidden.length ? hidden[hidden.length - 1] : 2]);
  }

  removeLayer() {
    this.layers(this.page.config.hidden.slice(0, -1));
  }

  neurons(layer, delta) {
    const hidden = [...this.page.config.hidden];
    const max = this.page.limits.max_neurons || 32;
    hidden[layer] = Math.max(1, Math.min(max, hidden[layer] + delta));
    this.layers(hidden);
  }

  layerActivation(layer, name) {
    const config = this.page.config;
    const list = perLayer(config.activation, config.hidden.length);
    list[layer] = name;
    this.change({ activation: list.every((a) => a === list[0]) ? list[0] : list });
  }

  toggleFeature(name) {
    const on = new Set(this.page.config.features);
    if (on.has(name)) on.delete(name);
    else on.add(name);
    const order = entries(this.page.options.features).map((f) => f.name);
    this.change({ features: order.filter((f) => on.has(f)) });
  }
}
