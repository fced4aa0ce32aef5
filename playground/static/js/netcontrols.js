/**
 * The interactive parts of the full network diagram (network.js places them; the compact
 * compare diagrams have none): feature switches, neuron hover, bias buttons, the
 * transparent hit paths over links, and the head above each hidden layer.
 *
 * A head (+ / − neuron buttons, the neuron count, the layer's activation) is given a width
 * (netlayout.js) and keeps to it; when narrow the count shows alone ("8", full text in its
 * title and label) and the buttons shrink, so heads of 8 layers sit side by side without
 * overlapping (issue 10).
 */
import { labelOfFeature, paintFeatureFormula } from "./features.js";

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {object} args layer, x (column centre), width, narrow, count, maxNeurons,
 *   activation, activationChoices, hide (Set of hide= flags), neurons(layer, delta),
 *   layerActivation(layer, name)
 */
export function layerHead(args) {
  const { layer, x, width, narrow, count } = args;
  const head = document.createElement("div");
  head.className = `layer-head${narrow ? " narrow" : ""}`;
  head.style.left = `${x}px`;
  head.style.width = `${width}px`;
  head.style.setProperty("--head-w", `${width}px`);
  head.setAttribute("data-testid", `layer-head-${layer}`);
  const plus = button("+", `Add a neuron to hidden layer ${layer + 1}`, `add-neuron-${layer}`);
  const minus = button("−", `Remove a neuron from hidden layer ${layer + 1}`,
    `remove-neuron-${layer}`);
  plus.disabled = count >= args.maxNeurons;
  minus.disabled = count <= 1;
  plus.addEventListener("click", () => args.neurons(layer, +1));
  minus.addEventListener("click", () => args.neurons(layer, -1));
  const caption = document.createElement("div");
  caption.className = "layer-caption";
  const full = `${count} neuron${count === 1 ? "" : "s"}`;
  caption.textContent = narrow ? String(count) : full;
  caption.title = `Hidden layer ${layer + 1}: ${full}`;
  caption.setAttribute("aria-label", `Hidden layer ${layer + 1}: ${full}`);
  caption.setAttribute("data-testid", `layer-caption-${layer}`);
  const select = document.createElement("select");
  select.setAttribute("aria-label", `Activation of hidden layer ${layer + 1}`);
  select.setAttribute("data-testid", `layer-activation-${layer}`);
  for (const c of args.activationChoices) select.append(new Option(c.label, c.name));
  select.value = args.activation;
  select.title = `Activation of hidden layer ${layer + 1}`;
  select.addEventListener("change", () => args.layerActivation(layer, select.value));
  const buttons = document.createElement("div");
  buttons.className = "layer-buttons-small";
  buttons.append(plus, minus);
  if (args.hide.has("hidden")) buttons.hidden = true;
  if (args.hide.has("activation")) select.hidden = true;
  head.append(buttons, caption, select);
  return head;
}

function button(text, label, testid) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.setAttribute("data-testid", testid);
  return b;
}

/** A feature node as a switch: click or Enter toggles it; an inactive one shows its formula. */
export function featureControl(entry, on, labels, callbacks, lut) {
  const { el, name } = entry;
  el.classList.toggle("inactive", !on);
  el.setAttribute("role", "switch");
  el.setAttribute("aria-checked", String(on));
  el.setAttribute("aria-label", `Feature ${labelOfFeature(name, labels[name])}`);
  el.setAttribute("data-testid", `feature-${name}`);
  el.tabIndex = 0;
  const label = document.createElement("span");
  label.className = "feature-label";
  label.textContent = labelOfFeature(name, labels[name]);
  el.append(label);
  const toggle = () => callbacks.toggleFeature(name);
  el.addEventListener("click", toggle);
  el.addEventListener("keydown", (e) => {
    if (e.key === "Enter") toggle();
  });
  // An inactive feature still shows its picture (see features.js), as in TF Playground.
  if (!on) paintFeatureFormula(entry.canvas, name, lut);
}

/** A hidden neuron shows its picture large on hover or focus; outputs are only named. */
export function nodeControl(entry, c, k, isOutput, callbacks) {
  const { el, index } = entry;
  if (isOutput) {
    el.setAttribute("aria-label", `Output ${k + 1}`);
    return;
  }
  el.setAttribute("aria-label", `Neuron ${k + 1} of hidden layer ${c}`);
  el.setAttribute("data-testid", `neuron-${c - 1}-${k}`);
  // neuron surgery: a click cycles active -> knocked out -> frozen -> active
  el.title = "Click: knock this unit out, freeze it, bring it back";
  el.dataset.state = "active";
  const layer = c - 1;
  el.addEventListener("click", () => callbacks.neuronClick(layer, k));
  el.addEventListener("keydown", (e) => {
    if (e.key === "Enter") callbacks.neuronClick(layer, k);
  });
  el.tabIndex = 0; // keyboard users get the large picture on focus
  for (const on of ["mouseenter", "focus"]) {
    el.addEventListener(on, () => callbacks.hoverNeuron(index));
  }
  for (const off of ["mouseleave", "blur"]) {
    el.addEventListener(off, () => callbacks.hoverNeuron(null));
  }
}

/** A transparent path over a link: hover shows its value, click edits it. */
export function hitPath(svg, link, straight, callbacks) {
  const [ax, ay, mx, bx, by] = link.geometry;
  const path = document.createElementNS(SVG, "path");
  const curve = straight ? "L" : `C${mx},${ay} ${mx},${by}`;
  path.setAttribute("d", `M${ax},${ay} ${curve} ${bx},${by}`);
  path.setAttribute("class", "link");
  path.setAttribute("data-testid", `link-${link.layer}-${link.i}-${link.j}`);
  const target = { kind: "weight", layer: link.layer, i: link.i, j: link.j, path };
  path.addEventListener("mouseenter", (e) => callbacks.hoverParam(target, e));
  path.addEventListener("mousemove", (e) => callbacks.hoverParam(target, e));
  path.addEventListener("mouseleave", () => callbacks.hoverParam(null));
  path.addEventListener("click", (e) => callbacks.editWeight(target, e));
  svg.append(path);
  return path;
}

/** The bias of neuron `j` (layer `layer`) as a small focusable button on its node. */
export function addBias(el, layer, j, node, callbacks) {
  const bias = document.createElement("div");
  bias.className = "bias";
  const size = Math.max(6, Math.round(node / 4));
  bias.style.width = `${size}px`;
  bias.style.height = `${size}px`;
  bias.setAttribute("data-testid", `bias-${layer}-${j}`);
  const target = { kind: "bias", layer, i: null, j, el: bias };
  bias.addEventListener("mouseenter", (e) => callbacks.hoverParam(target, e));
  bias.addEventListener("mouseleave", () => callbacks.hoverParam(null));
  bias.addEventListener("click", (e) => {
    e.stopPropagation();
    callbacks.editWeight(target, e);
  });
  // Biases are focusable buttons: Enter edits, focus shows the value.
  bias.tabIndex = 0;
  bias.setAttribute("role", "button");
  bias.setAttribute("aria-label", `Bias of neuron ${j + 1} in layer ${layer + 1}: edit`);
  const at = () => {
    const box = bias.getBoundingClientRect();
    return { clientX: box.right, clientY: box.bottom };
  };
  bias.addEventListener("focus", () => callbacks.hoverParam(target, at()));
  bias.addEventListener("blur", () => callbacks.hoverParam(null));
  bias.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      e.stopPropagation();
      callbacks.editWeight(target, at());
    }
  });
  el.append(bias);
  return { el: bias, layer, j };
}
