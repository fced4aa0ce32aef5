/**
 * TensorFlow Playground links: read a TF fragment (`#activation=tanh&batchSize=10&...`)
 * into our URL state. The key table comes from the server (`options.tf_link`, defined
 * once in playground/tflink.py); this module only applies it. Nothing here throws: every
 * unreadable key becomes a problem message, every key without an equivalent a note.
 */

/** True when the fragment looks like a TF Playground state (key=value pairs). */
export function isTfFragment(hash) {
  return typeof hash === "string" && /^#?[A-Za-z_]+=/.test(hash);
}

function parsePairs(hash) {
  const map = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    const name = decodeURIComponent(at < 0 ? part : part.slice(0, at));
    const value = at < 0 ? "" : decodeURIComponent(part.slice(at + 1));
    map.set(name, value);
  }
  return map;
}

function readBool(value) {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new Error(`"${value}" is not true or false`);
}

function readNumber(value) {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new Error(`"${value}" is not a number`);
  return number;
}

function readInt(value) {
  if (!/^\d+$/.test(value.trim())) throw new Error(`"${value}" is not a whole number`);
  return Number.parseInt(value, 10);
}

/** TF seeds are strings such as "0.72"; ours are integers. Same string, same seed. */
function readSeed(value) {
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10) % 2147483648;
  if (/^0?\.\d+$/.test(value)) return Math.round(Number(value) * 1e5);
  let h = 2166136261; // FNV-1a of any other string
  for (const ch of value) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  return h % 2147483648;
}

const READERS = {
  number: readNumber,
  int: readInt,
  ints: (v) => (v.trim() === "" ? [] : v.split(",").map(readInt)),
  percent: (v) => readNumber(v) / 100,
  seed: readSeed,
  bool: readBool,
};

/**
 * Read a TF fragment with the server's table. Returns
 * {config, view, hide: Set, problems: [], notes: []}; `fields` (optional) limits the
 * config to fields the server knows (the preset is set only if it exists).
 */
export function readTfFragment(hash, table, fields = null) {
  const out = { config: {}, view: {}, hide: new Set(), problems: [], notes: [] };
  if (!table) {
    out.problems.push("this server does not describe TF Playground links");
    return out;
  }
  let pairs;
  try {
    pairs = parsePairs(hash);
  } catch (error) {
    out.problems.push(`the TF Playground link is not readable (${error.message})`);
    return out;
  }
  const known = new Set([
    ...Object.keys(table.fields),
    ...Object.keys(table.features),
    ...Object.keys(table.view),
    ...Object.keys(table.unsupported),
    "problem",
    "dataset",
    "regDataset",
  ]);
  const unsupported = (key) => out.notes.push(`${key}: ${table.unsupported[key]}`);
  for (const [key, value] of pairs) {
    if (key.endsWith("_hide")) {
      const control = key.slice(0, -5);
      if (!(control in table.hide)) {
        out.problems.push(`${key}: TF Playground has no control "${control}"`);
      } else if (value !== "true" && value !== "false") {
        out.problems.push(`${key}: "${value}" is not true or false`);
      } else if (value === "true") {
        out.hide.add(table.hide[control]);
      }
      continue;
    }
    if (!known.has(key)) {
      out.problems.push(`${key}: not a TF Playground setting`);
      continue;
    }
    if (value.trim() === "" && key !== "networkShape") continue; // TF ignores empty values
    try {
      if (key in table.fields) {
        const spec = table.fields[key];
        if (spec.kind === "choice") {
          if (!(value in spec.map)) {
            throw new Error(`"${value}" is not one of ${Object.keys(spec.map).join(", ")}`);
          }
          out.config[spec.field] = spec.map[value];
        } else if (spec.kind === "bool") {
          if (readBool(value) && spec.when_true !== undefined) {
            out.config[spec.field] = spec.when_true;
          }
        } else {
          out.config[spec.field] = READERS[spec.kind](value);
        }
      } else if (key in table.view) {
        out.view[table.view[key]] = readBool(value);
      } else if (key in table.features) {
        if (readBool(value) && table.features[key] === null) unsupported(key);
      } else if (key in table.unsupported) {
        if (key === "tutorial" || readBool(value)) unsupported(key);
      }
    } catch (error) {
      out.problems.push(`${key}: ${error.message}`);
    }
  }
  // Features: the checked boxes, in our order; TF's defaults are x and y on.
  const checked = Object.entries(table.features).filter(([key, ours]) => {
    if (ours === null) return false;
    const value = pairs.get(key);
    if (value === undefined || value.trim() === "") return key === "x" || key === "y";
    return value === "true";
  });
  out.config.features = checked.map(([, ours]) => ours);
  // Dataset: "problem" says which key applies (TF's default is classification).
  const problem = pairs.has("problem") ? pairs.get("problem") : "classification";
  if (!(problem in table.problem)) {
    out.problems.push(`problem: "${problem}" is not one of ${Object.keys(table.problem).join(", ")}`);
  } else {
    const key = table.problem[problem];
    const value = pairs.get(key) || (key === "dataset" ? "circle" : "reg-plane");
    if (value in table[key]) out.config.dataset = table[key][value];
    else if (value in table.unsupported) unsupported(value);
    else out.problems.push(`${key}: "${value}" is not one of ${Object.keys(table[key]).join(", ")}`);
  }
  const preset = table.preset;
  if (preset && (!fields || preset.field in fields)) out.config[preset.field] = preset.value;
  else if (preset) {
    out.notes.push("training follows this playground's defaults (no TF-compatible mode yet)");
  }
  if (fields) {
    for (const name of Object.keys(out.config)) {
      if (!(name in fields)) delete out.config[name];
    }
  }
  return out;
}

/**
 * If `hash` is a TF Playground fragment, merge it into the page's URL state (`page.url`,
 * `page.view`, `page.hide`; settings in the query win) and return the note to show
 * (what was opened and what has no equivalent), else "".
 */
export function mergeTfLink(page, hash, table, fields = null) {
  if (!isTfFragment(hash)) return "";
  const tf = readTfFragment(hash, table, fields);
  page.url.config = { ...tf.config, ...page.url.config };
  Object.assign(page.view, tf.view);
  for (const flag of tf.hide) page.hide.add(flag);
  page.url.problems.push(...tf.problems.map((p) => `TF link ${p}`));
  const left = tf.notes.length > 0 ? ` Not carried over: ${tf.notes.join("; ")}.` : "";
  return `Opened a TensorFlow Playground link.${left}`;
}
