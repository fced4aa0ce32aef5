/**
 * The network diagram: feature column, hidden layers, output node. Links are drawn on one
 * canvas, coloured by sign and sized by |weight| (restyling hundreds of SVG paths per frame
 * cost more than everything else on the page); transparent SVG paths on top, never
 * restyled, give each link its hover, click and test id; each neuron is a <canvas> painted from its uint8
 * grid through a lookup table (dozens of Plotly plots per frame could not hold 20 fps).
 *
 * The DOM is rebuilt only when the architecture changes; a frame only repaints canvases
 * and restyles links whose look changed. User intent goes out through callbacks.
 */
import { CLASS_COLORS, NEGATIVE, POSITIVE, classLut, gridLut, paintGrid } from "./colors.js";
import { labelOfFeature, paintFeatureFormula } from "./features.js";

const SVG = "http://www.w3.org/2000/svg";
const HEAD = 78; // px reserved above the columns for layer buttons and activation
const MAX_NODE = 44;
const MIN_NODE = 10;
const STRAIGHT_ABOVE = 1500; // links; past this many, draw straight lines

export class NetworkView {
  /**
   * @param {HTMLElement} root
   * @param {object} callbacks toggleFeature(name), neurons(layer, delta),
   *   layerActivation(layer, name), editWeight(target, event), hoverNeuron(index|null),
   *   neuronClick(layer, index) (neuron surgery)
   */
  constructor(root, callbacks) {
    this.root = root;
    this.callbacks = callbacks;
    this.key = "";
    this.nodes = []; // per column: [{el, canvas}]
    this.links = []; // [{path, layer, i, j, style}]
    this.biases = []; // [{el, layer, j}]
    this.lut = new Uint32Array(256);
    this.weights = [];
    this.activationChoices = [];
    this.allFeatures = [];
    this.featureLabels = {};
    this.hide = new Set();
    this.featureCanvases = new Map();
    this.hideInactiveFeatures = false;
    this.limits = { maxNeurons: 32 };
  }

  setup({ activationChoices, features, hideInactiveFeatures, maxNeurons, hide = new Set() }) {
    this.hide = hide; // hide=hidden / hide=activation also lock the per-layer controls
    this.activationChoices = activationChoices;
    this.allFeatures = features.map((f) => f.name);
    this.featureLabels = Object.fromEntries(features.map((f) => [f.name, f.label]));
    this.hideInactiveFeatures = hideInactiveFeatures;
    this.limits.maxNeurons = maxNeurons;
  }

  /** Draw one frame; rebuild the diagram first if the architecture changed. */
  draw(frame) {
    const key = JSON.stringify([frame.layer_sizes, frame.features, frame.activations,
      this.root.clientWidth, this.root.clientHeight]);
    if (key !== this.key) {
      this.key = key;
      this.build(frame);
      // The hovered elements are gone with the old diagram.
      this.callbacks.hoverParam(null);
      this.callbacks.hoverNeuron(null);
    }
    this.weights = [];
    for (let l = 0; l < frame.layer_sizes.length - 1; l++) {
      this.weights.push({ W: frame.arrays[`W${l}`], b: frame.arrays[`b${l}`] });
    }
    this.paintNeurons(frame);
    this.styleLinks();
    this.showSurgery(frame.neurons || null);
  }

  /** Mark knocked-out and frozen units (frame header `neurons`; null = all active). */
  showSurgery(states) {
    for (let c = 1; c < this.nodes.length - 1; c++) {
      const layer = states ? states[c - 1] : null;
      this.nodes[c].forEach((n, k) => {
        const state = layer && layer[k] ? layer[k] : "active";
        if (n.el.dataset.state !== state) n.el.dataset.state = state;
      });
    }
  }

  /** A hidden unit's surgery state as last drawn ("active", "off", "frozen"). */
  neuronState(layer, index) {
    const column = this.nodes[layer + 1];
    return column && column[index] ? column[index].el.dataset.state : "active";
  }

  build(frame) {
    const sizes = frame.layer_sizes;
    const active = frame.features;
    const features = this.hideInactiveFeatures
      ? active
      : [...this.allFeatures, ...active.filter((f) => !this.allFeatures.includes(f))];
    const columns = [features.length, ...sizes.slice(1)];
    const width = Math.max(this.root.clientWidth, 200);
    const height = Math.max(this.root.clientHeight, 200) - HEAD;
    const maxCount = Math.max(...columns);
    const node = Math.max(MIN_NODE, Math.min(MAX_NODE, Math.floor(height / (maxCount * 1.25))));
    const gap = Math.min(node * 0.6, (height - maxCount * node) / Math.max(maxCount, 1));
    const x0 = 70;
    const x1 = width - node - 20;
    const colX = columns.map((_, c) => x0 + ((x1 - x0) * c) / Math.max(columns.length - 1, 1));
    const nodeY = (count, k) => HEAD + k * (node + gap) + 4;

    this.root.replaceChildren();
    const ratio = window.devicePixelRatio || 1;
    this.linkCanvas = document.createElement("canvas");
    this.linkCanvas.className = "links";
    this.linkCanvas.width = Math.round(width * ratio);
    this.linkCanvas.height = Math.round((height + HEAD) * ratio);
    this.linkCanvas.style.width = `${width}px`;
    this.linkCanvas.style.height = `${height + HEAD}px`;
    this.linkRatio = ratio;
    this.root.append(this.linkCanvas);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "links");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height + HEAD));
    svg.setAttribute("aria-hidden", "true");
    this.root.append(svg);
    this.nodes = [];
    this.links = [];
    this.biases = [];

    // Column 0: features (input index = position among the active features).
    const box = document.createElement("div");
    box.className = "features-column";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Input features: click one to turn it on or off");
    box.setAttribute("data-testid", "control-features");
    this.root.append(box);
    this.caption("Features", colX[0] + node / 2, "features-caption");
    this.caption("Output", colX[colX.length - 1] + node / 2, "output-caption");
    const featureNodes = features.map((name, k) => {
      const on = active.includes(name);
      const el = this.nodeElement(colX[0], nodeY(features.length, k), node, "feature", box);
      el.classList.toggle("inactive", !on);
      el.setAttribute("role", "switch");
      el.setAttribute("aria-checked", String(on));
      el.setAttribute("aria-label", `Feature ${labelOfFeature(name, this.featureLabels[name])}`);
      el.dataset.testid = `feature-${name}`;
      el.setAttribute("data-testid", `feature-${name}`);
      el.tabIndex = 0;
      const label = document.createElement("span");
      label.className = "feature-label";
      label.textContent = labelOfFeature(name, this.featureLabels[name]);
      el.append(label);
      const toggle = () => this.callbacks.toggleFeature(name);
      el.addEventListener("click", toggle);
      el.addEventListener("keydown", (e) => {
        if (e.key === "Enter") toggle();
      });
      const entry = { el, canvas: el.querySelector("canvas"), name, inputIndex: active.indexOf(name) };
      if (!on) this.paintInactiveFeature(entry);
      return entry;
    });
    this.nodes.push(featureNodes);

    let neuronIndex = 0;
    for (let c = 1; c < columns.length; c++) {
      const isOutput = c === columns.length - 1;
      const column = [];
      for (let k = 0; k < columns[c]; k++) {
        const el = this.nodeElement(colX[c], nodeY(columns[c], k), node,
          isOutput ? "output" : "neuron");
        const entry = { el, canvas: el.querySelector("canvas"), index: isOutput ? -1 : neuronIndex };
        if (!isOutput) {
          const index = neuronIndex++;
          el.setAttribute("aria-label", `Neuron ${k + 1} of hidden layer ${c}`);
          el.setAttribute("data-testid", `neuron-${c - 1}-${k}`);
          el.title = "Click: knock this unit out, freeze it, bring it back";
          el.dataset.state = "active";
          const layer = c - 1;
          el.addEventListener("click", () => this.callbacks.neuronClick(layer, k));
          el.addEventListener("keydown", (e) => {
            if (e.key === "Enter") this.callbacks.neuronClick(layer, k);
          });
          el.tabIndex = 0; // keyboard users get the large picture on focus
          for (const on of ["mouseenter", "focus"]) {
            el.addEventListener(on, () => this.callbacks.hoverNeuron(index));
          }
          for (const off of ["mouseleave", "blur"]) {
            el.addEventListener(off, () => this.callbacks.hoverNeuron(null));
          }
        } else {
          el.setAttribute("aria-label", `Output ${k + 1}`);
        }
        this.addBias(el, c - 1, k, node);
        column.push(entry);
      }
      this.nodes.push(column);
      if (!isOutput) this.addLayerHead(c - 1, colX[c], node, frame);
    }

    // Links layer l: column l (active nodes only) -> column l + 1.
    const inputs = featureNodes.filter((n) => n.inputIndex >= 0).length;
    const linkCount = [inputs, ...columns.slice(1)]
      .slice(0, -1)
      .reduce((sum, n, c) => sum + n * columns[c + 1], 0);
    this.straight = linkCount > STRAIGHT_ABOVE; // curves cost too much in bulk
    for (let l = 0; l < columns.length - 1; l++) {
      const from = l === 0 ? featureNodes.filter((n) => n.inputIndex >= 0) : this.nodes[l];
      from.forEach((src, s) => {
        const i = l === 0 ? src.inputIndex : s;
        this.nodes[l + 1].forEach((dst, j) => {
          const path = document.createElementNS(SVG, "path");
          const ax = colX[l] + node;
          const ay = parseFloat(src.el.style.top) + node / 2;
          const bx = colX[l + 1];
          const by = parseFloat(dst.el.style.top) + node / 2;
          const mx = (ax + bx) / 2;
          const curve = this.straight ? "L" : `C${mx},${ay} ${mx},${by}`;
          path.setAttribute("d", `M${ax},${ay} ${curve} ${bx},${by}`);
          path.setAttribute("class", "link");
          path.setAttribute("data-testid", `link-${l}-${i}-${j}`);
          const target = { kind: "weight", layer: l, i, j, path };
          path.addEventListener("mouseenter", (e) => this.callbacks.hoverParam(target, e));
          path.addEventListener("mousemove", (e) => this.callbacks.hoverParam(target, e));
          path.addEventListener("mouseleave", () => this.callbacks.hoverParam(null));
          path.addEventListener("click", (e) => this.callbacks.editWeight(target, e));
          svg.append(path);
          this.links.push({ path, layer: l, i, j, geometry: [ax, ay, mx, bx, by] });
        });
      });
    }
  }

  caption(text, x, className) {
    const el = document.createElement("div");
    el.className = `column-caption ${className}`;
    el.style.left = `${x}px`;
    el.textContent = text;
    this.root.append(el);
  }

  nodeElement(x, y, size, kind, parent = this.root) {
    const el = document.createElement("div");
    el.className = `node ${kind}`;
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
    el.style.width = `${size}px`;
    el.style.height = `${size}px`;
    const canvas = document.createElement("canvas");
    canvas.width = 1;
    canvas.height = 1;
    el.append(canvas);
    parent.append(el);
    return el;
  }

  addBias(el, layer, j, node) {
    const bias = document.createElement("div");
    bias.className = "bias";
    const size = Math.max(6, Math.round(node / 4));
    bias.style.width = `${size}px`;
    bias.style.height = `${size}px`;
    bias.setAttribute("data-testid", `bias-${layer}-${j}`);
    const target = { kind: "bias", layer, i: null, j, el: bias };
    bias.addEventListener("mouseenter", (e) => this.callbacks.hoverParam(target, e));
    bias.addEventListener("mouseleave", () => this.callbacks.hoverParam(null));
    bias.addEventListener("click", (e) => {
      e.stopPropagation();
      this.callbacks.editWeight(target, e);
    });
    // Biases are focusable buttons: Enter edits, focus shows the value.
    bias.tabIndex = 0;
    bias.setAttribute("role", "button");
    bias.setAttribute("aria-label", `Bias of neuron ${j + 1} in layer ${layer + 1}: edit`);
    const at = () => {
      const box = bias.getBoundingClientRect();
      return { clientX: box.right, clientY: box.bottom };
    };
    bias.addEventListener("focus", () => this.callbacks.hoverParam(target, at()));
    bias.addEventListener("blur", () => this.callbacks.hoverParam(null));
    bias.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        this.callbacks.editWeight(target, at());
      }
    });
    el.append(bias);
    this.biases.push({ el: bias, layer, j });
  }

  /** Buttons (+/- neurons) and the activation picker above one hidden layer. */
  addLayerHead(layer, x, node, frame) {
    const head = document.createElement("div");
    head.className = "layer-head";
    head.style.left = `${x + node / 2}px`;
    const count = frame.layer_sizes[layer + 1];
    const plus = button("+", `Add a neuron to hidden layer ${layer + 1}`, `add-neuron-${layer}`);
    const minus = button("−", `Remove a neuron from hidden layer ${layer + 1}`,
      `remove-neuron-${layer}`);
    plus.disabled = count >= this.limits.maxNeurons;
    minus.disabled = count <= 1;
    plus.addEventListener("click", () => this.callbacks.neurons(layer, +1));
    minus.addEventListener("click", () => this.callbacks.neurons(layer, -1));
    const caption = document.createElement("div");
    caption.className = "layer-caption";
    caption.textContent = `${count} neuron${count === 1 ? "" : "s"}`;
    const select = document.createElement("select");
    select.setAttribute("aria-label", `Activation of hidden layer ${layer + 1}`);
    select.setAttribute("data-testid", `layer-activation-${layer}`);
    for (const c of this.activationChoices) select.append(new Option(c.label, c.name));
    select.value = frame.activations[layer];
    select.addEventListener("change", () => this.callbacks.layerActivation(layer, select.value));
    const buttons = document.createElement("div");
    buttons.className = "layer-buttons-small";
    buttons.append(plus, minus);
    if (this.hide.has("hidden")) buttons.hidden = true;
    if (this.hide.has("activation")) select.hidden = true;
    head.append(buttons, caption, select);
    this.root.append(head);
  }

  /** An inactive feature still shows its picture (see features.js), as in TF Playground. */
  paintInactiveFeature(entry) {
    paintFeatureFormula(entry.canvas, entry.name, this.lut);
  }

  paintNeurons(frame) {
    const features = frame.arrays.features;
    const featureRanges = frame.arrays.feature_ranges;
    if (features) {
      const r = features.shape[1];
      for (const n of this.nodes[0]) {
        if (n.inputIndex < 0) continue;
        const k = n.inputIndex;
        gridLut(featureRanges.data[2 * k], featureRanges.data[2 * k + 1], this.lut);
        paintGrid(n.canvas, features.data, k * r * r, r, this.lut);
      }
    }
    const neurons = frame.arrays.neurons;
    const ranges = frame.arrays.neuron_ranges;
    if (neurons) {
      const r = neurons.shape[1];
      for (let c = 1; c < this.nodes.length - 1; c++) {
        for (const n of this.nodes[c]) {
          const k = n.index;
          gridLut(ranges.data[2 * k], ranges.data[2 * k + 1], this.lut);
          paintGrid(n.canvas, neurons.data, k * r * r, r, this.lut);
        }
      }
    }
    const output = frame.arrays.output;
    const outputs = this.nodes[this.nodes.length - 1];
    if (output && outputs.length === 1 && output.shape.length === 2) {
      const [lo, hi] = output.range;
      const mid = (lo + hi) / 2;
      gridLut(lo - mid, hi - mid, this.lut);
      paintGrid(outputs[0].canvas, output.data, 0, output.shape[0], this.lut);
    } else if (output && output.shape.length === 3 && outputs.length === output.shape[0]) {
      const r = output.shape[1];
      outputs.forEach((n, k) => {
        classLut(CLASS_COLORS[k % CLASS_COLORS.length], this.lut);
        paintGrid(n.canvas, output.data, k * r * r, r, this.lut);
      });
    }
  }

  styleLinks() {
    const ctx = this.linkCanvas.getContext("2d");
    ctx.setTransform(this.linkRatio, 0, 0, this.linkRatio, 0, 0);
    ctx.clearRect(0, 0, this.linkCanvas.width, this.linkCanvas.height);
    ctx.globalAlpha = 0.85;
    const straight = this.straight;
    for (const link of this.links) {
      const w = this.weightValue("weight", link.layer, link.i, link.j);
      const [ax, ay, mx, bx, by] = link.geometry;
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      if (straight) ctx.lineTo(bx, by);
      else ctx.bezierCurveTo(mx, ay, mx, by, bx, by);
      ctx.strokeStyle = w === null ? "#bbb" : w < 0 ? NEGATIVE : POSITIVE;
      ctx.lineWidth = w === null ? 1 : Math.min(1 + Math.abs(w) * 2.5, 10);
      ctx.stroke();
    }
    for (const bias of this.biases) {
      const b = this.weightValue("bias", bias.layer, null, bias.j);
      if (b !== null) bias.el.style.background = b < 0 ? NEGATIVE : POSITIVE;
    }
  }

  /** The current value of a weight or bias, or null when unknown. */
  weightValue(kind, layer, i, j) {
    const params = this.weights[layer];
    if (!params || !params.W) return null;
    if (kind === "bias") return params.b ? params.b.data[j] : null;
    const nOut = params.W.shape[1];
    return params.W.data[i * nOut + j];
  }

  /** Canvases of the hidden neurons, for the big hover view. */
  neuronCount() {
    return this.nodes.slice(1, -1).reduce((n, col) => n + col.length, 0);
  }
}

function button(text, label, testid) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.setAttribute("data-testid", testid);
  return b;
}
