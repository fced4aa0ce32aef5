/**
 * "Look inside": the insight views (hidden space, loss landscape, LR finder, health over
 * time), each in its own pane under the workspace, opened and closed by a button.
 *
 * A closed view costs nothing: the hidden-space and health views ask the server to put
 * their data in frames only while open (view fields `hidden_layer`, `health`); the
 * landscape and the range test are requested on demand. Each view is its own module with
 * open(), close(), frame(frame) and, for requests, reply(msg) / failed(error).
 */
import { HealthView } from "./health_view.js";
import { HiddenView } from "./hidden_view.js";
import { LandscapeView } from "./landscape_view.js";
import { LrRangeView } from "./lr_view.js";

const VIEWS = [ // name, pane title, button label, module
  ["hidden", "Hidden space", "Hidden space", HiddenView],
  ["landscape", "Loss landscape", "Landscape", LandscapeView],
  ["lr_range", "Learning-rate finder", "LR finder", LrRangeView],
  ["health", "Health over time", "Health", HealthView],
];

export class Insight {
  /**
   * @param {HTMLElement} dock the section the panes go in
   * @param {HTMLElement} buttons where the open/close buttons go
   * @param {object} ctx session, options (GET /api/options), useLearningRate(lr),
   *   playing(): boolean, run(): the selected run id
   */
  constructor(dock, buttons, ctx) {
    this.dock = dock;
    this.labels = new Map(); // run id -> the labels of its points (sent once per data change)
    ctx = { ...ctx, labels: (run) => this.labels.get(run) || null };
    this.views = new Map();
    this.buttons = new Map();
    for (const [name, label, short, View] of VIEWS) {
      const pane = document.createElement("section");
      pane.className = "insight-pane";
      pane.hidden = true;
      pane.dataset.testid = `view-${name}`;
      pane.setAttribute("data-testid", `view-${name}`);
      pane.setAttribute("aria-label", label);
      const head = document.createElement("header");
      const title = document.createElement("h3");
      title.textContent = label;
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u2715";
      close.setAttribute("aria-label", `Close ${label}`);
      close.setAttribute("data-testid", `close-${name}`);
      close.addEventListener("click", () => this.toggle(name, false));
      head.append(title, close);
      const body = document.createElement("div");
      body.className = "insight-body";
      pane.append(head, body);
      dock.append(pane);
      this.views.set(name, { pane, view: new View(body, ctx), open: false });
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = short;
      button.title = label;
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("data-testid", `open-${name}`);
      button.addEventListener("click", () => this.toggle(name));
      buttons.append(button);
      this.buttons.set(name, button);
    }
  }

  toggle(name, force = null) {
    const entry = this.views.get(name);
    const open = force === null ? !entry.open : force;
    if (open === entry.open) return;
    entry.open = open;
    entry.pane.hidden = !open;
    this.buttons.get(name).setAttribute("aria-pressed", String(open));
    this.dock.hidden = ![...this.views.values()].some((v) => v.open);
    if (open) entry.view.open();
    else entry.view.close();
  }

  /** Every frame, of any run: keep its points' labels (they travel once per data change). */
  points(frame) {
    if (frame.arrays.labels) this.labels.set(frame.run || "A", frame.arrays.labels.data);
  }

  /** Every drawn frame of the selected run. */
  frame(frame) {
    for (const { view, open } of this.views.values()) if (open) view.frame(frame);
  }

  /** A binary reply (landscape, lr_range). */
  reply(message) {
    const entry = this.views.get(message.type);
    if (entry && entry.open) entry.view.reply(message);
  }

  /** An error about an insight request: shown in its pane. True if it was one. */
  error(message) {
    const entry = this.views.get(message.request);
    if (!entry || !entry.view.failed) return false;
    entry.view.failed(message);
    return true;
  }

  /** After a reconnect the server's view fields are fresh: reopen what is open. */
  reopen() {
    for (const { view, open } of this.views.values()) if (open) view.open();
  }
}
