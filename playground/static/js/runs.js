/**
 * The session's runs (issue 9): their list, which one is selected, and each run's
 * timeline. The one owner of this state; main.js feeds it from the session and the
 * timeline, compare and chart modules read it. A server without runs looks like one
 * run "A".
 */

export const RUN_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];

/** Config fields worth naming in a diff line, in this order, with short names. */
const DIFF_NAMES = {
  optimizer: "optimizer", learning_rate: "lr", hidden: "hidden", activation: "activation",
  dropout: "dropout", regularization: "regularization", regularization_rate: "reg. rate",
  batch_size: "batch", seed: "seed", features: "features", momentum: "momentum",
  schedule: "schedule", loss: "loss", initializer: "init", weight_decay: "weight decay",
  grad_clip: "clip", dataset: "dataset", noise: "noise",
};

export class Runs {
  constructor() {
    this.list = [{ id: "A", step: 0, epoch: 0, playing: false, config: null }];
    this.selected = "A";
    this.timelines = new Map(); // run id -> last `timeline` message
    this.seeking = new Map(); // run id -> step shown by seek (absent = live)
  }

  update({ runs, selected }) {
    this.list = runs;
    this.selected = selected;
    for (const id of [...this.timelines.keys()]) if (!this.byId(id)) this.timelines.delete(id);
  }

  setTimeline(message) {
    this.timelines.set(message.run, message);
  }

  byId(id) {
    return this.list.find((r) => r.id === id) || null;
  }

  ids() {
    return this.list.map((r) => r.id);
  }

  get comparing() {
    return this.list.length > 1;
  }

  colorOf(id) {
    const k = Math.max(this.ids().indexOf(id), 0);
    return RUN_COLORS[k % RUN_COLORS.length];
  }

  /** Keep a run's step/epoch current from its live frames (for the scrubber's range). */
  noteFrame(frame) {
    const run = this.byId(frame.run);
    if (run && frame.at === null) {
      run.step = frame.step;
      run.epoch = frame.epoch;
    }
  }
}

/** "B: optimizer adam, lr 0.01": what `other`'s config changes relative to `base`. */
export function configDiff(base, other, id) {
  if (!base || !other) return `${id}`;
  const parts = [];
  const names = [...Object.keys(DIFF_NAMES),
    ...Object.keys(other).filter((n) => !(n in DIFF_NAMES))];
  for (const name of names) {
    if (!(name in other) || name === "custom_points") continue;
    if (JSON.stringify(base[name]) === JSON.stringify(other[name])) continue;
    const value = Array.isArray(other[name]) ? other[name].join("-") : String(other[name]);
    parts.push(`${DIFF_NAMES[name] || name} ${value}`);
  }
  return parts.length ? `${id}: ${parts.join(", ")}` : `${id}: same config`;
}
