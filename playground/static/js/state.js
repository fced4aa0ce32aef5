/**
 * The whole run lives in the URL: config <-> query string from one declarative table.
 *
 * Every RunConfig field has a URL kind; a field the table does not know (added to the
 * engine later) falls back to a kind derived from its type in /api/options, so it still
 * round-trips. Fields that default to null ("auto": problem, loss, initializer) are
 * written only when the user picked a value, so they keep following the dataset or the
 * activation. View settings (speed, test points, discretize) and `hide=` flags ride along.
 */

/** URL kinds: how one value is written and read. */
const KINDS = {
  str: { write: (v) => String(v), read: (s) => s },
  int: { write: (v) => String(v), read: (s) => parseIntStrict(s) },
  float: { write: (v) => String(v), read: (s) => parseFloatStrict(s) },
  bool: { write: (v) => (v ? "1" : "0"), read: (s) => s === "1" || s === "true" },
  ints: { write: (v) => v.join(","), read: (s) => splitList(s).map(parseIntStrict) },
  strs: { write: (v) => v.join(","), read: (s) => splitList(s) },
  // One value for every hidden layer, or a comma list with one per layer.
  strOrStrs: {
    write: (v) => (Array.isArray(v) ? v.join(",") : String(v)),
    read: (s) => (s.includes(",") ? splitList(s) : s),
  },
  floatOrFloats: {
    write: (v) => (Array.isArray(v) ? v.join(",") : String(v)),
    read: (s) => (s.includes(",") ? splitList(s).map(parseFloatStrict) : parseFloatStrict(s)),
  },
  // Custom points as "x1,x2,label;x1,x2,label;..." (4 decimals is far below the noise).
  points: {
    write: (v) => v.map((p) => p.map((x) => +Number(x).toFixed(4)).join(",")).join(";"),
    read: (s) => splitList(s, ";").map((row) => row.split(",").map(parseFloatStrict)),
  },
};

/** The declarative table: RunConfig field -> URL kind. */
export const CONFIG_FIELDS = {
  dataset: "str",
  problem: "str",
  n_points: "int",
  noise: "float",
  train_fraction: "float",
  n_classes: "int",
  custom_points: "points",
  features: "strs",
  hidden: "ints",
  activation: "strOrStrs",
  loss: "str",
  initializer: "str",
  bias_init: "float",
  optimizer: "str",
  learning_rate: "float",
  momentum: "float",
  beta1: "float",
  beta2: "float",
  epsilon: "float",
  rho: "float",
  weight_decay: "float",
  schedule: "str",
  decay_rate: "float",
  decay_steps: "int",
  grad_clip: "float",
  regularization: "str",
  regularization_rate: "float",
  dropout: "floatOrFloats",
  batch_size: "int",
  seed: "int",
};

/** View settings: never change the run, only what is drawn and how fast. */
export const VIEW_FIELDS = {
  speed: "int",
  test: "bool",
  discretize: "bool",
  diagnostics: "bool",
};

export const HIDE_KEY = "hide";

function splitList(s, sep = ",") {
  return s === "" ? [] : s.split(sep).map((x) => x.trim());
}

function parseIntStrict(s) {
  if (!/^-?\d+$/.test(s.trim())) throw new Error(`"${s}" is not a whole number`);
  return Number.parseInt(s, 10);
}

function parseFloatStrict(s) {
  const value = Number(s);
  if (s.trim() === "" || !Number.isFinite(value)) throw new Error(`"${s}" is not a number`);
  return value;
}

/** The URL kind of a field: from the table, else derived from its /api/options entry. */
export function kindOf(name, fieldInfo) {
  if (CONFIG_FIELDS[name]) return CONFIG_FIELDS[name];
  const type = String((fieldInfo && fieldInfo.type) || "str").toLowerCase();
  if (type.startsWith("list") || type.includes("[")) {
    return type.includes("int") ? "ints" : type.includes("float") ? "floatOrFloats" : "strs";
  }
  if (type.includes("int")) return "int";
  if (type.includes("float") || type.includes("number")) return "float";
  if (type.includes("bool")) return "bool";
  return "str";
}

/**
 * Read the URL query. Returns {config, view, hide, problems}: `config` holds only the
 * fields present (the server fills the rest), `problems` lists unreadable parameters.
 */
export function readUrl(search, fields = {}) {
  const params = new URLSearchParams(search);
  const config = {};
  const view = {};
  const problems = [];
  const names = new Set([...Object.keys(CONFIG_FIELDS), ...Object.keys(fields)]);
  for (const name of names) {
    if (!params.has(name)) continue;
    try {
      config[name] = KINDS[kindOf(name, fields[name])].read(params.get(name));
    } catch (error) {
      problems.push(`${name}: ${error.message}`);
    }
  }
  for (const [name, kind] of Object.entries(VIEW_FIELDS)) {
    if (!params.has(name)) continue;
    try {
      view[name] = KINDS[kind].read(params.get(name));
    } catch (error) {
      problems.push(`${name}: ${error.message}`);
    }
  }
  const hide = new Set(params.has(HIDE_KEY) ? splitList(params.get(HIDE_KEY)) : []);
  return { config, view, hide, problems };
}

/**
 * Write the query string for a config. `auto` is the set of nullable fields the user left
 * on automatic; they (and null values) are omitted so they keep following their default.
 */
export function writeUrl(config, { auto = new Set(), view = {}, hide = new Set(), fields = {} }) {
  const params = new URLSearchParams();
  const names = [
    ...Object.keys(CONFIG_FIELDS),
    ...Object.keys(config).filter((n) => !(n in CONFIG_FIELDS)),
  ];
  for (const name of names) {
    const value = config[name];
    if (value === null || value === undefined || auto.has(name)) continue;
    params.set(name, KINDS[kindOf(name, fields[name])].write(value));
  }
  for (const [name, kind] of Object.entries(VIEW_FIELDS)) {
    if (view[name] !== undefined && view[name] !== null) {
      params.set(name, KINDS[kind].write(view[name]));
    }
  }
  if (hide.size > 0) params.set(HIDE_KEY, [...hide].join(","));
  // Commas and semicolons are safe in a query; keep links readable.
  return params.toString().replace(/%2C/g, ",").replace(/%3B/g, ";");
}

/**
 * Which nullable ("auto") fields are left automatic, given what the URL specified.
 * A field is automatic when its default is null and the URL did not set it.
 */
export function autoFields(fields, urlConfig) {
  const auto = new Set();
  for (const [name, info] of Object.entries(fields)) {
    if (info && info.default === null && !(name in urlConfig)) auto.add(name);
  }
  return auto;
}

/**
 * The config to send: the accepted config with every automatic field set back to null,
 * so the server derives it again (e.g. the loss follows a new problem type).
 */
export function withAuto(config, auto) {
  const out = { ...config };
  for (const name of auto) out[name] = null;
  return out;
}
