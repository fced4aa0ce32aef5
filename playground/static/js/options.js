/**
 * Small helpers over the /api/options shape, so the other modules do not care whether a
 * registry arrives as a list of names, a list of objects or a name -> info mapping.
 */

/** A registry as [{name, ...info}] in the server's order. */
export function entries(registry) {
  if (!registry) return [];
  if (Array.isArray(registry)) {
    return registry.map((item) => (typeof item === "string" ? { name: item } : { ...item }));
  }
  return Object.entries(registry).map(([name, info]) =>
    info && typeof info === "object" ? { name, ...info } : { name, label: info },
  );
}

/** The registry entry named `name`, or null. */
export function entry(registry, name) {
  return entries(registry).find((item) => item.name === name) || null;
}

/** `fields` as a name -> info mapping. */
export function fieldMap(options) {
  const fields = options.fields || {};
  if (!Array.isArray(fields)) return fields;
  return Object.fromEntries(fields.map((f) => [f.name, f]));
}

const WORDS = { sq: "²", x1x2: "x₁x₂", sgd: "SGD", adamw: "AdamW", l1: "L1", l2: "L2" };

/** A readable label for a registry name ("leaky_relu" -> "Leaky ReLU"-ish). */
export function humanize(name) {
  if (name === null || name === undefined) return "";
  const text = String(name);
  if (WORDS[text]) return WORDS[text];
  const special = { relu: "ReLU", gelu: "GELU", elu: "ELU", tanh: "Tanh", adam: "Adam" };
  return text
    .split("_")
    .map((w, k) => special[w] || (k === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(" ");
}

/** The label of a registry entry: its own `label` when the server gives one. */
export function labelOf(item) {
  return item.label || item.title || humanize(item.name);
}

/** The choices of a field: its own `choices`, else the named registry. */
export function choicesOf(info, registry) {
  if (info && Array.isArray(info.choices) && info.choices.length > 0) {
    const labels = new Map(entries(registry).map((e) => [e.name, labelOf(e)]));
    return info.choices
      .filter((c) => c !== null)
      .map((c) => ({ name: c, label: labels.get(c) || humanize(c) }));
  }
  return entries(registry).map((e) => ({ name: e.name, label: labelOf(e) }));
}
