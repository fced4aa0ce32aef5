/**
 * Reading and editing one parameter: a tooltip that follows the hovered link or bias and
 * keeps its value live frame by frame, and a small editor that sends the typed value.
 */

let sourceName = (target) => `input ${target.i + 1}`;

/** How links name their source neuron (e.g. the feature "x₁" for the first layer). */
export function setSourceNamer(namer) {
  sourceName = namer;
}

function describe(target) {
  if (target.kind === "bias") return `Bias of layer ${target.layer + 1}, neuron ${target.j + 1}`;
  return `Weight: ${sourceName(target)} → neuron ${target.j + 1} of layer ${target.layer + 1}`;
}

function place(el, event) {
  const x = Math.min(event.clientX + 14, window.innerWidth - el.offsetWidth - 8);
  const y = Math.min(event.clientY + 14, window.innerHeight - el.offsetHeight - 8);
  el.style.left = `${Math.max(x, 4)}px`;
  el.style.top = `${Math.max(y, 4)}px`;
}

export class Tooltip {
  constructor(el) {
    this.el = el;
    this.target = null;
  }

  show(target, event, value) {
    this.target = target;
    this.el.hidden = false;
    this.render(value);
    place(this.el, event);
  }

  render(value) {
    const text = value === null ? "…" : value.toFixed(3);
    this.el.textContent = `${describe(this.target)}: ${text} (click to edit)`;
    this.el.dataset.value = value === null ? "" : String(value);
  }

  /** Keep the shown value live: called after every frame. */
  refresh(read) {
    if (this.target !== null) this.render(read(this.target));
  }

  hide() {
    this.target = null;
    this.el.hidden = true;
  }
}

export class WeightEditor {
  constructor(el, onSubmit) {
    this.el = el;
    this.input = el.querySelector("input");
    this.label = el.querySelector("label");
    this.onSubmit = onSubmit;
    this.target = null;
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.submit();
      if (e.key === "Escape") this.close();
      e.stopPropagation();
    });
    this.input.addEventListener("blur", () => this.close());
  }

  open(target, value, event) {
    this.target = target;
    this.label.textContent = describe(target);
    this.input.value = value === null ? "" : String(+value.toFixed(4));
    this.el.hidden = false;
    place(this.el, event);
    this.input.focus();
    this.input.select();
  }

  submit() {
    const value = Number(this.input.value);
    if (this.input.value.trim() === "" || !Number.isFinite(value) || Math.abs(value) > 100) {
      this.input.setCustomValidity("a number between -100 and 100");
      this.input.reportValidity();
      return;
    }
    this.input.setCustomValidity("");
    this.onSubmit(this.target, value);
    this.close();
  }

  close() {
    this.target = null;
    this.el.hidden = true;
  }
}
