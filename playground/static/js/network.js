/**
 * The network diagram: feature column, hidden layers, output node. Links are drawn on one
 * canvas, coloured by sign and sized by |weight| (restyling hundreds of SVG paths per frame
 * cost more than everything else on the page); transparent SVG paths on top, never
 * restyled, give each link its hover, click and test id; each neuron is a <canvas> painted
 * from its uint8 grid through a lookup table (dozens of Plotly plots per frame could not
 * hold 20 fps). Links with |w| under the `LinkFilter`'s threshold are not drawn (their hit
 * paths hide too).
 *
 * `compact` (the compare sides): the same layout at a small size, read-only, on one
 * canvas: links, then each node as a small box whose border is its bias's sign (no
 * neuron pictures, labels, heads or hit paths: a side's frame costs ~0.3 ms). The size is
 * cached from a ResizeObserver so a frame never forces a layout.
 *
 * The DOM is rebuilt only when the architecture changes; a frame only repaints canvases
 * and redraws the link canvas. User intent goes out through callbacks.
 */
import { CLASS_COLORS, classLut, gridLut, NEGATIVE, paintGrid, POSITIVE } from "./colors.js";
import { addBias, featureControl, hitPath, layerHead, nodeControl } from "./netcontrols.js";
import { diagramLayout } from "./netlayout.js";
import { LinkFilter, paintLinks } from "./netlinks.js";

const SVG = "http://www.w3.org/2000/svg";
const STRAIGHT_ABOVE = 1500; // links; past this many, draw straight lines

export class NetworkView {
  /**
   * @param {HTMLElement} root
   * @param {object} callbacks toggleFeature(name), neurons(layer, delta),
   *   layerActivation(layer, name), editWeight(target, event), hoverNeuron(index|null),
   *   hoverParam(target|null, event), neuronClick(layer, index) (neuron surgery)
   *   (none needed when compact)
   * @param {object} opts compact: small and read-only; linkFilter: share another view's
   */
  constructor(root, callbacks = {}, { compact = false, linkFilter = null } = {}) {
    this.root = root;
    this.callbacks = callbacks;
    this.compact = compact;
    this.key = "";
    this.nodes = []; // per column: [{el, canvas}]
    this.links = []; // [{path, layer, i, j, geometry, hidden}]
    this.biases = []; // [{el, layer, j}]
    this.lut = new Uint32Array(256);
    this.weights = [];
    this.sizes = [];
    this.activationChoices = [];
    this.allFeatures = [];
    this.featureLabels = {};
    this.hide = new Set();
    this.hideInactiveFeatures = compact;
    this.limits = { maxNeurons: 32 };
    this.linksDrawn = -1; // links drawn by the last frame (also in data-links-drawn)
    this.frame = null;
    this.unlisten = () => {};
    this.useFilter(linkFilter || new LinkFilter());
    this.observer = null;
    if (compact) {
      this.size = [0, 0];
      this.observer = new ResizeObserver(([entry]) => {
        const { width, height } = entry.contentRect;
        this.size = [Math.round(width), Math.round(height)];
        if (this.frame) this.draw(this.frame);
      });
      this.observer.observe(root);
    }
  }

  /** Follow `filter` (the main diagram's, for the compare sides): a change redraws. */
  useFilter(filter) {
    this.unlisten();
    this.linkFilter = filter;
    this.unlisten = filter.onChange(() => {
      if (this.links.length) this.styleLinks();
    });
  }

  /** Stop following the filter and the size (a closed compare side). */
  dispose() {
    this.unlisten();
    if (this.observer) this.observer.disconnect();
  }

  setup({ activationChoices, features, hideInactiveFeatures, maxNeurons, hide = new Set(),
    diagram = null }) {
    this.hide = hide; // hide=hidden / hide=activation also lock the per-layer controls
    this.activationChoices = activationChoices;
    this.allFeatures = features.map((f) => f.name);
    this.featureLabels = Object.fromEntries(features.map((f) => [f.name, f.label]));
    this.hideInactiveFeatures = hideInactiveFeatures;
    this.limits.maxNeurons = maxNeurons;
    if (diagram && diagram.link_threshold) this.useFilter(new LinkFilter(diagram.link_threshold));
  }

  /** Draw one frame; rebuild the diagram first if the architecture changed. */
  draw(frame) {
    this.frame = frame;
    const [width, height] = this.compact ? this.size
      : [this.root.clientWidth, this.root.clientHeight];
    if (this.compact && (width === 0 || height === 0)) return; // not laid out yet
    const key = JSON.stringify([frame.layer_sizes, frame.features, frame.activations,
      width, height]);
    if (key !== this.key) {
      this.key = key;
      this.build(frame, width, height);
      // The hovered elements are gone with the old diagram.
      if (!this.compact) {
        this.callbacks.hoverParam(null);
        this.callbacks.hoverNeuron(null);
      }
    }
    this.weights = [];
    for (let l = 0; l < frame.layer_sizes.length - 1; l++) {
      this.weights.push({ W: frame.arrays[`W${l}`], b: frame.arrays[`b${l}`] });
    }
    if (!this.compact) this.paintNeurons(frame);
    this.styleLinks();
    if (!this.compact) this.showSurgery(frame.neurons || null); // compact: no node elements
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
    return column && column[index] && column[index].el
      ? column[index].el.dataset.state
      : "active";
  }

  build(frame, clientWidth, clientHeight) {
    const sizes = frame.layer_sizes;
    this.sizes = sizes;
    const active = frame.features;
    const features = this.hideInactiveFeatures
      ? active
      : [...this.allFeatures, ...active.filter((f) => !this.allFeatures.includes(f))];
    const columns = [features.length, ...sizes.slice(1)];
    const floor = this.compact ? 40 : 200;
    const width = Math.max(clientWidth, floor);
    const height = Math.max(clientHeight, floor);
    const geo = diagramLayout(width, height, columns, { compact: this.compact });
    const { node, colX } = geo;

    this.root.replaceChildren();
    const ratio = window.devicePixelRatio || 1;
    this.linkCanvas = document.createElement("canvas");
    this.linkCanvas.className = "links";
    this.linkCanvas.width = Math.round(width * ratio);
    this.linkCanvas.height = Math.round(height * ratio);
    this.linkCanvas.style.width = `${width}px`;
    this.linkCanvas.style.height = `${height}px`;
    this.linkRatio = ratio;
    this.root.append(this.linkCanvas);
    let svg = null;
    if (!this.compact) {
      svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "links");
      svg.setAttribute("width", String(width));
      svg.setAttribute("height", String(height));
      svg.setAttribute("aria-hidden", "true");
      this.root.append(svg);
    }
    this.nodes = [];
    this.links = [];
    this.biases = [];

    // Column 0: features (input index = position among the active features).
    const box = document.createElement("div");
    box.className = "features-column";
    this.root.append(box);
    if (!this.compact) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Input features: click one to turn it on or off");
      box.setAttribute("data-testid", "control-features");
      this.captions(geo, width, sizes);
    }
    this.node = node;
    const featureNodes = features.map((name, k) => {
      const entry = { ...this.place(colX[0], geo.nodeY(k), node, "feature", box), name,
        inputIndex: active.indexOf(name) };
      if (!this.compact) {
        featureControl(entry, active.includes(name), this.featureLabels, this.callbacks,
          this.lut);
      }
      return entry;
    });
    this.nodes.push(featureNodes);

    let neuronIndex = 0;
    for (let c = 1; c < columns.length; c++) {
      const isOutput = c === columns.length - 1;
      const column = [];
      for (let k = 0; k < columns[c]; k++) {
        const entry = { ...this.place(colX[c], geo.nodeY(k), node,
          isOutput ? "output" : "neuron"), index: isOutput ? -1 : neuronIndex++ };
        if (!this.compact) {
          nodeControl(entry, c, k, isOutput, this.callbacks);
          this.biases.push(addBias(entry.el, c - 1, k, node, this.callbacks));
        }
        column.push(entry);
      }
      this.nodes.push(column);
      if (!isOutput && !this.compact) {
        this.root.append(layerHead({
          layer: c - 1, x: colX[c] + node / 2, width: geo.headWidth, narrow: geo.narrow,
          count: sizes[c], maxNeurons: this.limits.maxNeurons,
          activation: frame.activations[c - 1], activationChoices: this.activationChoices,
          hide: this.hide, neurons: this.callbacks.neurons,
          layerActivation: this.callbacks.layerActivation,
        }));
      }
    }
    this.buildLinks(featureNodes, columns, colX, node, svg);
    this.root.dataset.columns = columns.join(",");
    if (!this.compact) this.root.append(this.linkFilter.control(sizes));
  }

  /** "Features" and "Output"; narrow heads leave no room above, so Output goes below. */
  captions(geo, width, sizes) {
    const { node, colX } = geo;
    const features = document.createElement("div");
    features.className = "column-caption features-caption";
    features.style.left = `${colX[0] + node}px`; // right-aligned on the feature column
    features.textContent = "Features";
    this.root.append(features);
    const output = document.createElement("div");
    output.className = `column-caption output-caption${geo.narrow ? " below" : ""}`;
    output.textContent = "Output";
    const last = colX[colX.length - 1];
    if (geo.narrow) {
      output.style.top = `${geo.nodeY(sizes[sizes.length - 1]) + 2}px`;
      output.style.left = `${Math.min(last + node / 2, width - 34)}px`;
    } else {
      output.style.left = `${last + node / 2}px`;
    }
    this.root.append(output);
  }

  /** Links layer l: column l (active nodes only) -> column l + 1. */
  buildLinks(featureNodes, columns, colX, node, svg) {
    const inputs = featureNodes.filter((n) => n.inputIndex >= 0);
    const linkCount = [inputs.length, ...columns.slice(1)]
      .slice(0, -1)
      .reduce((sum, n, c) => sum + n * columns[c + 1], 0);
    this.straight = this.compact || linkCount > STRAIGHT_ABOVE; // curves cost in bulk
    for (let l = 0; l < columns.length - 1; l++) {
      const from = l === 0 ? inputs : this.nodes[l];
      from.forEach((src, s) => {
        const i = l === 0 ? src.inputIndex : s;
        this.nodes[l + 1].forEach((dst, j) => {
          const ax = colX[l] + node;
          const ay = src.y + node / 2;
          const bx = colX[l + 1];
          const by = dst.y + node / 2;
          const mx = (ax + bx) / 2;
          const link = { path: null, layer: l, i, j, geometry: [ax, ay, mx, bx, by],
            hidden: false };
          if (svg) link.path = hitPath(svg, link, this.straight, this.callbacks);
          this.links.push(link);
        });
      });
    }
  }

  /**
   * A node at (x, y): an element with its picture's canvas, or (compact) only the place,
   * drawn on the link canvas; a dozen small canvases per side cost more than the rest.
   */
  place(x, y, size, kind, parent = this.root) {
    if (this.compact) return { el: null, canvas: null, x, y };
    const el = this.nodeElement(x, y, size, kind, parent);
    return { el, canvas: el.querySelector("canvas"), x, y };
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

  /** Draw the links (under the filter's threshold: hidden) and colour the biases. */
  styleLinks() {
    const { drawn, hidden } = paintLinks(this.linkCanvas, this.linkRatio, this.links,
      (l, i, j) => this.weightValue("weight", l, i, j), {
        threshold: this.linkFilter.threshold(this.sizes),
        dense: this.linkFilter.dense(this.sizes),
        straight: this.straight,
        scale: this.compact ? 0.6 : 1,
      });
    if (drawn !== this.linksDrawn) this.root.dataset.linksDrawn = String(drawn);
    this.linksDrawn = drawn;
    if (this.compact) this.paintPlaces();
    this.links.forEach((link, k) => {
      const off = hidden.has(k);
      if (off === link.hidden) return; // touch a hit path only when it flips
      link.hidden = off;
      if (link.path) link.path.style.display = off ? "none" : "";
    });
    for (const bias of this.biases) {
      const b = this.weightValue("bias", bias.layer, null, bias.j);
      if (b !== null) bias.el.style.background = b < 0 ? NEGATIVE : POSITIVE;
    }
  }

  /** Compact: each node a small box over the links, its border the bias's sign. */
  paintPlaces() {
    const ctx = this.linkCanvas.getContext("2d");
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1;
    const size = this.node;
    this.nodes.forEach((column, c) => {
      column.forEach((n, k) => {
        const b = c === 0 ? null : this.weightValue("bias", c - 1, null, k);
        ctx.fillStyle = "#fff";
        ctx.fillRect(n.x, n.y, size, size);
        ctx.strokeStyle = b === null ? "#333" : b < 0 ? NEGATIVE : POSITIVE;
        ctx.strokeRect(n.x + 0.5, n.y + 0.5, size - 1, size - 1);
      });
    });
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

  /** "neuron 3 of hidden layer 2" for a hidden neuron's index over all layers. */
  neuronName(index) {
    let k = index;
    for (let c = 1; c < this.nodes.length - 1; c++) {
      if (k < this.nodes[c].length) return `neuron ${k + 1} of hidden layer ${c}`;
      k -= this.nodes[c].length;
    }
    return `neuron ${index + 1}`;
  }
}
