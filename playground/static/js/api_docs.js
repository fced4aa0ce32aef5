// The API reference page: renders /openapi.json (paths, docstrings, schemas) and lets the
// reader try each operation against this server. Written for this project; no CDN.

const MAX_DEPTH = 4; // nesting shown for schemas (configs nest a little; cycles are cut)

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

/** Follow a local `$ref` ("#/components/schemas/Name") into the document. */
function resolve(doc, schema) {
  if (!schema || !schema.$ref) return schema || {};
  const path = schema.$ref.replace(/^#\//, "").split("/");
  return path.reduce((node, key) => (node ? node[key] : undefined), doc) || {};
}

/** A schema's type in words: "integer", "array of number", "RunConfig", "string | null". */
function typeName(doc, schema) {
  if (!schema) return "any";
  if (schema.$ref) return schema.$ref.split("/").pop();
  const alternatives = schema.anyOf || schema.oneOf;
  if (alternatives) return alternatives.map((s) => typeName(doc, s)).join(" | ");
  if (schema.type === "array") return `array of ${typeName(doc, schema.items)}`;
  return schema.type || (schema.enum ? "enum" : "any");
}

function constraints(schema) {
  const parts = [];
  if (schema.enum) parts.push(`one of ${schema.enum.join(", ")}`);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems} items`);
  return parts.join(", ");
}

/** The object schema behind a field, if any (directly, via $ref, or among alternatives). */
function objectSchema(doc, schema) {
  const resolved = resolve(doc, schema);
  if (resolved.properties) return resolved;
  for (const alt of resolved.anyOf || resolved.oneOf || []) {
    const inner = resolve(doc, alt);
    if (inner.properties) return inner;
  }
  return null;
}

function fieldRows(doc, schema, depth, seen, rows = []) {
  const required = new Set(schema.required || []);
  for (const [name, raw] of Object.entries(schema.properties || {})) {
    const field = resolve(doc, raw);
    const merged = { ...field, ...raw };
    const defaultText = merged.default === undefined ? "" : JSON.stringify(merged.default);
    const cell = el("td", { text: name + (required.has(name) ? " *" : "") });
    if (depth > 0) cell.className = "nested";
    cell.style.paddingLeft = `${0.5 + depth * 1.3}rem`;
    rows.push(
      el(
        "tr",
        {},
        cell,
        el("td", { text: typeName(doc, raw) }),
        el("td", { text: defaultText }),
        el("td", { text: [constraints(merged), merged.description || ""].filter(Boolean).join("; ") }),
      ),
    );
    const inner = objectSchema(doc, raw);
    const key = raw.$ref || name;
    if (inner && depth < MAX_DEPTH && !seen.has(key)) {
      fieldRows(doc, inner, depth + 1, new Set([...seen, key]), rows);
    }
  }
  return rows;
}

function schemaTable(doc, schema) {
  const resolved = objectSchema(doc, schema);
  if (!resolved) return el("p", { text: typeName(doc, schema) });
  const head = el("tr", {}, ...["field", "type", "default", "range and meaning"].map((t) => el("th", { text: t })));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...fieldRows(doc, resolved, 0, new Set())));
}

/**
 * An example body from the schema: defaults where given, else a plain value per type.
 * Optional fields without a default are left out (the server fills them in): a made-up
 * "" for an optional enum such as `problem` would only earn a 422.
 */
function example(doc, schema, depth = 0) {
  if (schema && schema.default !== undefined) return schema.default;
  const s = resolve(doc, schema);
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  if (s.properties && depth < MAX_DEPTH) {
    const required = new Set(s.required || []);
    const out = {};
    for (const [name, field] of Object.entries(s.properties)) {
      const value = example(doc, field, depth + 1);
      const filled = value !== null && typeof value === "object" && Object.keys(value).length > 0;
      const given = field.default !== undefined || resolve(doc, field).default !== undefined;
      if (required.has(name) || given || filled) out[name] = value;
    }
    return out;
  }
  const alternatives = s.anyOf || s.oneOf || [];
  const alt = alternatives.find((a) => a.type !== "null") || alternatives[0];
  if (alt) return example(doc, alt, depth + 1);
  return { integer: 1, number: 1, boolean: false, string: "", array: [] }[s.type] ?? null;
}

function tryPanel(method, path, bodySchema, doc) {
  const label = `${method.toUpperCase()} ${path}`;
  const status = el("p", { class: "status", role: "status" });
  const output = el("pre", { "aria-label": `Response of ${label}` });
  const panel = el("div", { class: "try" }, el("h3", { text: "Try it" }));
  let textarea = null;
  if (bodySchema) {
    textarea = el("textarea", { "aria-label": `Request body for ${label}`, spellcheck: "false" });
    textarea.value = JSON.stringify(example(doc, bodySchema), null, 2);
    panel.append(textarea);
  }
  const button = el("button", { type: "button", text: "Send", "aria-label": `Send ${label}` });
  button.addEventListener("click", async () => {
    status.textContent = "…";
    status.classList.remove("bad");
    try {
      const init = { method: method.toUpperCase() };
      if (textarea) {
        init.body = textarea.value;
        init.headers = { "content-type": "application/json" };
      }
      const response = await fetch(path, init);
      const text = await response.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: show as it came
      }
      status.textContent = `${response.status} ${response.statusText}`;
      status.classList.toggle("bad", !response.ok);
      output.textContent = shown;
    } catch (error) {
      status.textContent = `request failed: ${error}`;
      status.classList.add("bad");
    }
  });
  panel.append(button, status, output);
  return panel;
}

function operationSection(doc, path, method, op) {
  const id = `${method}-${path.replace(/[^a-z0-9]+/gi, "-")}`;
  const section = el("section", { class: "operation", id, "data-testid": `op-${method}-${path}` });
  section.append(
    el("h2", {}, el("span", { class: `method ${method}`, text: method.toUpperCase() }), " ", el("code", { text: path })),
  );
  if (op.summary) section.append(el("p", {}, el("strong", { text: op.summary })));
  if (op.description) section.append(el("p", { class: "description", text: op.description }));
  for (const param of op.parameters || []) {
    section.append(el("p", { text: `parameter ${param.name} (${param.in}): ${typeName(doc, param.schema)}` }));
  }
  const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (body) section.append(el("h3", { text: "Request body (JSON)" }), schemaTable(doc, body.schema));
  const responses = el("ul");
  for (const [code, response] of Object.entries(op.responses || {})) {
    responses.append(el("li", { text: `${code}: ${response.description || ""}` }));
  }
  section.append(el("h3", { text: "Responses" }), responses);
  if (method === "get" || method === "post") {
    section.append(tryPanel(method, path, body ? body.schema : null, doc));
  }
  return section;
}

async function main() {
  const url = document.body.dataset.openapiUrl || "/openapi.json";
  const summary = document.getElementById("summary");
  const operations = document.getElementById("operations");
  let doc;
  try {
    const response = await fetch(url);
    doc = await response.json();
  } catch (error) {
    summary.textContent = `Could not load ${url}: ${error}`;
    return;
  }
  document.getElementById("title").textContent = `${doc.info.title} API ${doc.info.version}`;
  summary.textContent = doc.info.description || "";
  for (const [path, methods] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(methods)) {
      operations.append(operationSection(doc, path, method, op));
    }
  }
  document.body.dataset.ready = "true";
}

main();
