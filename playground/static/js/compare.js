/**
 * Compare (A | B): with more than one run the output splits into one side per run, each
 * with its own decision boundary (a Boundary of its own), a compact network diagram (the
 * page's NetworkView, small, read-only and on one canvas; links thinned by the main
 * diagram's link filter), a one-line summary of its metrics, and a config diff against the first run
 * ("B: optimizer adam, lr 0.01"). A click on a side selects that run (controls then edit
 * it); each side but the last one standing can be closed. The run list comes from `Runs`;
 * nothing is kept here but the views.
 */
import { Boundary } from "./boundary.js";
import { NetworkView } from "./network.js";
import { configDiff } from "./runs.js";

export class CompareView {
  /**
   * @param {HTMLElement} root the container of the sides
   * @param {object} actions select(id), close(id)
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.sides = new Map(); // run id -> {el, boundary, diff, summary}
    this.showTest = false;
    this.discretize = false;
    this.template = null; // the page's own Boundary: its points seed a new side
    this.linkFilter = null; // the main diagram's: one threshold for every diagram
  }

  get active() {
    return this.sides.size > 1;
  }

  /** Rebuild the sides when the runs change; refresh diffs and the selection mark. */
  update(runs) {
    const ids = runs.comparing ? runs.ids() : [];
    for (const [id, side] of this.sides) {
      if (!ids.includes(id)) {
        Plotly.purge(side.plot);
        side.network.dispose();
        side.el.remove();
        this.sides.delete(id);
      }
    }
    for (const id of ids) if (!this.sides.has(id)) this.addSide(id);
    const base = runs.list[0] ? runs.list[0].config : null;
    for (const run of runs.list) {
      const side = this.sides.get(run.id);
      if (!side) continue;
      side.el.style.setProperty("--run-color", runs.colorOf(run.id));
      side.el.classList.toggle("selected", run.id === runs.selected);
      side.el.setAttribute("aria-pressed", String(run.id === runs.selected));
      side.diff.textContent = run.id === runs.list[0].id
        ? `${run.id}${run.parent ? ` (from ${run.parent})` : ""}`
        : configDiff(base, run.config, run.id);
    }
    this.root.hidden = !this.active;
  }

  addSide(id) {
    const el = document.createElement("div");
    el.className = "side";
    el.dataset.testid = `side-${id}`;
    el.setAttribute("data-testid", `side-${id}`);
    el.setAttribute("role", "button");
    el.tabIndex = 0;
    el.setAttribute("aria-label", `Run ${id}: click to edit this run`);
    const head = document.createElement("div");
    head.className = "side-head";
    const diff = document.createElement("span");
    diff.className = "diff";
    diff.setAttribute("data-testid", `diff-${id}`);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close-run";
    close.textContent = "✕";
    close.setAttribute("data-testid", `close-${id}`);
    close.setAttribute("aria-label", `Close run ${id}`);
    close.addEventListener("click", (e) => {
      e.stopPropagation();
      this.actions.close(id);
    });
    head.append(diff, close);
    const plot = document.createElement("div");
    plot.className = "side-boundary";
    plot.setAttribute("data-testid", `boundary-${id}`);
    const net = document.createElement("div");
    net.className = "network compact side-network";
    net.setAttribute("data-testid", `network-${id}`);
    net.setAttribute("role", "img");
    net.setAttribute("aria-label", `Network of run ${id}`);
    const summary = document.createElement("div");
    summary.className = "side-summary";
    summary.setAttribute("data-testid", `summary-${id}`);
    el.append(head, plot, net, summary);
    el.addEventListener("click", () => this.actions.select(id));
    el.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.actions.select(id);
    });
    this.root.append(el);
    const boundary = new Boundary(plot, null, { compact: true });
    boundary.init();
    boundary.showTest = this.showTest;
    boundary.discretize = this.discretize;
    if (this.template) {
      // A fork has the same points; they travel only when the data changes.
      for (const t of [1, 2]) {
        const from = this.template.data[t];
        Object.assign(boundary.data[t], { x: from.x, y: from.y, marker: { ...from.marker } });
      }
      boundary.invalidate();
    }
    const network = new NetworkView(net, {}, { compact: true, linkFilter: this.linkFilter });
    this.sides.set(id, { el, plot, boundary, network, diff, summary, frame: null, drawn: 0 });
  }

  /** Draw a frame on its run's side (`neuron`: a hovered neuron's grid instead). */
  draw(frame, neuron = null) {
    const side = this.sides.get(frame.run);
    if (!side) return;
    side.frame = frame;
    side.drawn += 1; // frames drawn on this side (benchmarks/browser.py reads it)
    side.boundary.draw(frame, neuron);
    side.network.draw(frame);
    side.el.dataset.epoch = String(frame.epoch);
    side.el.dataset.step = String(frame.step);
    const loss = frame.test_loss === null ? "–" : frame.test_loss.toFixed(3);
    const acc = frame.test_accuracy === null || frame.test_accuracy === undefined ? ""
      : ` · acc ${(100 * frame.test_accuracy).toFixed(1)}%`;
    const shape = frame.layer_sizes.join("-");
    const act = [...new Set(frame.activations)].join("/");
    side.summary.textContent = `${shape} ${act} · epoch ${frame.epoch}${frame.at !== null
      ? " (past)" : ""} · test loss ${loss}${acc}`;
    side.summary.dataset.value = frame.test_loss === null ? "" : String(frame.test_loss);
  }

  /** The show-test / discretize toggles apply to every side. */
  setToggles(showTest, discretize) {
    this.showTest = showTest;
    this.discretize = discretize;
    for (const side of this.sides.values()) {
      side.boundary.showTest = showTest;
      side.boundary.discretize = discretize;
      side.boundary.invalidate();
      if (side.frame) side.boundary.draw(side.frame);
    }
  }
}
