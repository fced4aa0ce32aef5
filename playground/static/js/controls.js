/**
 * Form controls built from /api/options `fields`: one labelled control per RunConfig field
 * (data-testid="control-<field>"), so a field or registry entry added on the server shows
 * up here with no front-end change. Where a control sits is one small table; a field the
 * table does not know lands in "More settings" (in the Training panel). Which controls
 * apply (a schedule's fields, an optimizer's, points and noise for generated data only)
 * comes from /api/options, never from rules written here.
 *
 * Controls never talk to the server: a change calls `onChange(changes)` (null = automatic),
 * and the accepted config comes back through `update(config)`, which is also how a
 * rejected value returns to the accepted one.
 */
import { choicesOf, entry, humanize } from "./options.js";

/** Where each field goes; features, hidden and dataset have their own widgets. */
const SLOTS = {
  topbar: ["learning_rate", "activation", "optimizer", "regularization", "regularization_rate",
    "dropout"],
  data: ["problem", "train_fraction", "noise", "n_points", "n_classes", "seed", "custom_points"],
  training: ["loss", "batch_size", "schedule", "decay_rate", "decay_steps", "momentum", "beta1",
    "beta2", "epsilon", "rho", "weight_decay", "grad_clip", "preset"],
  own: ["dataset", "features", "hidden"],
};

const LABELS = {
  learning_rate: "Learning rate", activation: "Activation", optimizer: "Optimizer",
  loss: "Loss", regularization: "Regularization", regularization_rate: "Regularization rate",
  dropout: "Dropout", problem: "Problem type", train_fraction: "Training ratio",
  noise: "Noise (%)", n_points: "Points", n_classes: "Classes", batch_size: "Batch size",
  seed: "Seed", custom_points: "Custom points (x1, x2, label per line)",
  initializer: "Initializer", bias_init: "Initial bias", beta1: "β₁", beta2: "β₂",
  epsilon: "ε", rho: "ρ", weight_decay: "Weight decay", schedule: "Learning-rate schedule",
  decay_rate: "Decay rate", decay_steps: "Decay steps", grad_clip: "Gradient clip (0 = off)",
  speed: "Speed (steps per frame)",
};

/** Registries that hold the choices of a field when the field lists none itself. */
const REGISTRY_OF = {
  dataset: "datasets", activation: "activations", loss: "losses", initializer: "initializers",
  optimizer: "optimizers", schedule: "schedules", features: "features",
};

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const SPEEDS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
const OPTIMIZER_PARAMS = ["momentum", "beta1", "beta2", "epsilon", "rho", "weight_decay"];

export class Controls {
  /**
   * @param {object} fields  name -> field info from /api/options
   * @param {object} options the whole /api/options object
   * @param {(changes: object) => void} onChange
   */
  constructor(fields, options, onChange) {
    this.fields = fields;
    this.options = options;
    this.onChange = onChange;
    this.widgets = {}; // field -> {wrap, input, error, set(value)}
    this.config = null;
  }

  /** Create every control in its slot. */
  build(slots) {
    const placed = new Set([...SLOTS.topbar, ...SLOTS.data, ...SLOTS.training, ...SLOTS.own]);
    for (const name of SLOTS.topbar) this.add(slots.topbar, name);
    this.addSpeed(slots.topbar);
    for (const name of SLOTS.data) this.add(slots.data, name);
    for (const name of SLOTS.training) this.add(slots.training, name);
    for (const name of Object.keys(this.fields)) {
      if (!placed.has(name)) this.add(slots.advanced, name);
    }
  }

  add(parent, name) {
    const info = this.fields[name];
    if (!info) return;
    const wrap = document.createElement("div");
    wrap.className = "control";
    wrap.dataset.field = name;
    wrap.dataset.panel = name;
    const id = `ctl-${name}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = LABELS[name] || humanize(name);
    const input = this.makeInput(name, info);
    input.id = id;
    input.dataset.testid = `control-${name}`;
    input.setAttribute("data-testid", `control-${name}`);
    const error = document.createElement("div");
    error.className = "error";
    error.setAttribute("role", "alert");
    error.dataset.testid = `error-${name}`;
    error.setAttribute("data-testid", `error-${name}`);
    input.setAttribute("aria-describedby", `err-${name}`);
    error.id = `err-${name}`;
    wrap.append(label, input, error);
    if (info.reinitializes) {
      wrap.title = "Changing this draws the weights again (as Reset does), on the same data.";
    }
    if (name === "learning_rate") {
      // The scheduled rate of the next step, when a schedule moves it (see showRate).
      this.nowRate = document.createElement("output");
      this.nowRate.className = "now-rate";
      this.nowRate.setAttribute("data-testid", "scheduled-rate");
      this.nowRate.hidden = true;
      wrap.append(this.nowRate);
    }
    parent.append(wrap);
    input.addEventListener("change", () => this.commit(name));
    this.widgets[name] = { wrap, input, error, info };
  }

  makeInput(name, info) {
    const registry = this.options[REGISTRY_OF[name]];
    const choices = name in REGISTRY_OF || info.choices ? choicesOf(info, registry) : [];
    if (choices.length > 0) {
      const select = document.createElement("select");
      if (info.default === null) select.append(new Option("auto", ""));
      for (const c of choices) select.append(new Option(c.label, c.name));
      return select;
    }
    if (name === "custom_points") {
      const area = document.createElement("textarea");
      area.rows = 4;
      area.spellcheck = false;
      area.placeholder = "1.5, -2, 1";
      return area;
    }
    const input = document.createElement("input");
    const type = String(info.type || "").toLowerCase();
    const numeric = /int|float|number/.test(type) && !/list|\[/.test(type);
    input.type = numeric ? "number" : "text";
    if (numeric) {
      if (info.min !== undefined && info.min !== null) input.min = info.min;
      if (info.max !== undefined && info.max !== null) input.max = info.max;
      input.step = type.includes("int") ? "1" : "any";
    }
    if (name === "learning_rate") input.setAttribute("list", this.datalist("rates", LEARNING_RATES));
    input.inputMode = "decimal";
    return input;
  }

  datalist(id, values) {
    const listId = `list-${id}`;
    if (!document.getElementById(listId)) {
      const list = document.createElement("datalist");
      list.id = listId;
      for (const v of values) list.append(new Option(String(v)));
      document.body.append(list);
    }
    return listId;
  }

  /** The speed control: a view setting, not part of the run. */
  addSpeed(parent) {
    const wrap = document.createElement("div");
    wrap.className = "control";
    wrap.dataset.panel = "speed";
    const select = document.createElement("select");
    select.id = "ctl-speed";
    select.setAttribute("data-testid", "control-speed");
    for (const s of SPEEDS) select.append(new Option(String(s), String(s)));
    const label = document.createElement("label");
    label.htmlFor = select.id;
    label.textContent = LABELS.speed;
    wrap.append(label, select);
    parent.append(wrap);
    select.addEventListener("change", () => this.onChange({}, { speed: Number(select.value) }));
    this.speed = select;
  }

  setSpeed(speed) {
    if (!this.speed) return;
    if (![...this.speed.options].some((o) => Number(o.value) === speed)) {
      this.speed.append(new Option(String(speed), String(speed)));
    }
    this.speed.value = String(speed);
  }

  /** Show the scheduled learning rate of the next step (a frame's) while a schedule runs. */
  showRate(rate) {
    if (!this.nowRate) return;
    const scheduled = Boolean(this.config) && this.config.schedule !== "constant";
    const shown = scheduled && typeof rate === "number" && Number.isFinite(rate);
    this.nowRate.hidden = !shown;
    if (shown) {
      this.nowRate.textContent = `now ${formatRate(rate)}`;
      this.nowRate.dataset.value = String(rate);
    }
  }

  /** Read a control, parse it, and hand the change on (or show why it cannot be read). */
  commit(name) {
    const widget = this.widgets[name];
    this.clearError(name);
    let value;
    try {
      value = parseValue(name, widget.input, widget.info);
    } catch (error) {
      this.showError(name, error.message);
      if (this.config) this.setValue(name, this.config[name]);
      return;
    }
    const same = this.config && JSON.stringify(this.config[name]) === JSON.stringify(value);
    if (same && widget.info.default !== null) return; // nothing to send (e.g. a second change event)
    this.onChange({ [name]: value });
  }

  /** Show every control's accepted value; `auto` fields show "auto". */
  update(config, auto = new Set()) {
    this.config = config;
    for (const name of Object.keys(this.widgets)) {
      this.setValue(name, auto.has(name) ? null : config[name], config[name]);
    }
    this.applyVisibility(config);
  }

  setValue(name, value, resolved = value) {
    const { input, info } = this.widgets[name];
    if (document.activeElement === input && input.tagName !== "SELECT") {
      // Do not overwrite what the user is typing, except when reverting an error.
      if (!this.widgets[name].wrap.classList.contains("has-error")) return;
    }
    if (input.tagName === "SELECT") {
      if (value === null && info.default === null) {
        const match = [...input.options].find((o) => o.value === String(resolved));
        input.options[0].textContent = resolved ? `auto (${match ? match.text : resolved})` : "auto";
        input.value = "";
      } else if (Array.isArray(value)) {
        const same = value.every((v) => v === value[0]);
        this.ensureOption(input, same ? value[0] : "__mixed", same ? null : "per layer");
        input.value = same ? value[0] : "__mixed";
      } else {
        this.ensureOption(input, value);
        input.value = value ?? "";
      }
    } else if (name === "custom_points") {
      input.value = (value || []).map((p) => p.join(", ")).join("\n");
    } else {
      input.value = Array.isArray(value) ? value.join(", ") : value ?? "";
    }
  }

  ensureOption(select, value, label = null) {
    if (value === null || value === undefined) return;
    if (![...select.options].some((o) => o.value === String(value))) {
      select.append(new Option(label || humanize(value), String(value)));
    }
  }

  /** Hide controls that do not apply to the current config (they keep their values). */
  applyVisibility(config) {
    const dataset = entry(this.options.datasets, config.dataset) || {};
    const generated = dataset.generated !== false;
    const show = {
      n_classes: Boolean(dataset.uses_classes) || config.problem === "multiclass",
      custom_points: config.dataset === "custom",
      n_points: generated,
      noise: generated,
    };
    const schedule = entry(this.options.schedules, config.schedule);
    const scheduleUses = (schedule && schedule.hyperparameters) || [];
    for (const name of ["decay_rate", "decay_steps"]) show[name] = scheduleUses.includes(name);
    const optimizer = entry(this.options.optimizers, config.optimizer);
    const used = optimizer && (optimizer.hyperparameters || optimizer.params);
    if (Array.isArray(used)) {
      for (const p of OPTIMIZER_PARAMS) show[p] = used.includes(p);
    }
    const loss = this.widgets.loss;
    if (loss) {
      // Offer only the losses that fit the problem (each loss lists its problems).
      for (const option of loss.input.options) {
        const info = entry(this.options.losses, option.value);
        option.disabled = Boolean(info && info.problems && !info.problems.includes(config.problem));
      }
    }
    for (const [name, visible] of Object.entries(show)) {
      const widget = this.widgets[name];
      if (widget) widget.wrap.classList.toggle("not-applicable", !visible);
    }
  }

  /** Show a message under a control; false when that control is not on screen. */
  showError(name, message) {
    const widget = this.widgets[name];
    if (!widget || widget.wrap.classList.contains("not-applicable")) return false;
    if (widget.wrap.classList.contains("hidden-by-url")) return false;
    widget.error.textContent = message;
    widget.wrap.classList.add("has-error");
    widget.input.setAttribute("aria-invalid", "true");
    return true;
  }

  clearError(name) {
    const widget = this.widgets[name];
    if (!widget) return;
    widget.error.textContent = "";
    widget.wrap.classList.remove("has-error");
    widget.input.removeAttribute("aria-invalid");
  }

  clearErrors() {
    for (const name of Object.keys(this.widgets)) this.clearError(name);
  }
}

/** A learning rate in 3 significant digits (0.0154, 1.2e-5). */
export function formatRate(rate) {
  if (rate === 0) return "0";
  return Math.abs(rate) < 1e-3 ? rate.toExponential(2) : String(Number(rate.toPrecision(3)));
}

/** Turn a control's text into the field's value; throws Error in plain words. */
function parseValue(name, input, info) {
  const raw = input.value.trim();
  const type = String(info.type || "").toLowerCase();
  if (input.tagName === "SELECT") {
    if (raw === "") return null;
    if (raw === "__mixed") throw new Error("choose one value for every layer");
    return raw;
  }
  if (name === "custom_points") {
    return raw === "" ? null : raw.split(/\n+/).map((line) => numbers(line, 3));
  }
  if (raw === "") throw new Error(`${LABELS[name] || humanize(name)} needs a value`);
  if (/list|\[|\|/.test(type) || raw.includes(",")) {
    const values = numbers(raw);
    return values.length === 1 && !/^list/.test(type) ? values[0] : values;
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`"${raw}" is not a number`);
  if (type.includes("int") && !Number.isInteger(value)) {
    throw new Error(`${LABELS[name] || humanize(name)} must be a whole number`);
  }
  return value;
}

function numbers(text, expected = null) {
  const parts = text.split(/[,\s]+/).filter((p) => p !== "");
  const values = parts.map(Number);
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`"${text}" is not a list of numbers`);
  if (expected !== null && values.length !== expected) {
    throw new Error(`each line needs ${expected} numbers: x1, x2, label`);
  }
  return values;
}
