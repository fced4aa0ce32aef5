/**
 * Wiring: URL -> session -> controls / diagram / charts, and user intent -> commands.
 * Holds the page state (accepted config, automatic fields, view) and nothing else; every
 * job lives in its own module.
 */
import { Session } from "./api.js";
import { Boundary } from "./boundary.js";
import { Charts } from "./charts.js";
import { Controls } from "./controls.js";
import { DatasetPicker } from "./datasets.js";
import { DiagnosticsView } from "./diagnostics.js";
import { Insight } from "./insight.js";
import { Edits, runChanges } from "./edits.js";
import { Exports } from "./exports.js";
import { bindKeyboard } from "./keyboard.js";
import { applyHide } from "./layout.js";
import { Lessons } from "./lessons.js";
import { NetworkView } from "./network.js";
import { RunViews } from "./runviews.js";
import { SweepView } from "./sweep.js";
import { choicesOf, entries, fieldMap } from "./options.js";
import { Presenter } from "./presenter.js";
import { autoFields, readUrl, withAuto, writeUrl } from "./state.js";
import { mergeTfLink } from "./tflink.js";
import { Tooltip, WeightEditor, setSourceNamer } from "./weights.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_SPEED = 25;

const page = {
  options: null,
  fields: {},
  limits: {},
  config: null,
  auto: new Set(),
  url: readUrl(location.search),
  view: { speed: DEFAULT_SPEED, test: false, discretize: false, diagnostics: false },
  playing: false,
  hoverNeuron: null,
  frame: null,
  built: false,
  configured: false,
};
page.hide = page.url.hide;
Object.assign(page.view, page.url.view);

const session = new Session({
  status: showStatus,
  hello: onHello,
  config: onConfig,
  error: onError,
  event: onEvent,
  frame: onFrame,
  runs: (message) => views.onRuns(message),
  timeline: (message) => views.onTimeline(message),
  snapshot: (snapshot) => views.onSnapshot(snapshot),
  sweep: (message) => sweep && sweep.onMessage(message),
  landscape: (reply) => insight.reply(reply),
  lr_range: (reply) => insight.reply(reply),
});
// Runs, timeline, compare, run files, sessionStorage (issue 9).
const views = new RunViews(session, {
  selected: (config) => onConfig({ config, change: "select" }),
  tell: banner,
  redraw: () => redrawBoundary(),
});

// Lessons, presenter mode and exports (issue 13): they reach the page through these hooks.
const lessons = new Lessons(session, {
  configure: (partial) => configureFrom(partial),
  setHide: (flags) => setHide(flags),
  play: (all) => {
    if (all) session.play("all"); // a fork's runs message may not have arrived yet
    if (!page.playing) togglePlay();
  },
  pause: () => page.playing && togglePlay(),
  runs: () => views.runs,
  tell: banner,
  changed: () => page.config && writeLocation(),
});
const presenter = new Presenter(lessons, {
  changed: () => page.config && writeLocation(),
  tell: banner,
});
const exporter = new Exports(session, {
  boundary: () => {
    const side = views.compare.active ? views.compare.sides.get(views.runs.selected) : null;
    return side ? side.boundary : boundary; // compare: the selected run's side
  },
  selected: () => views.runs.selected,
  playing: () => page.playing,
  play: () => page.playing || togglePlay(),
  tell: banner,
});

let controls;
let network;
let charts;
let boundary;
let picker;
let sweep = null; // the sweep panel (issue 14), built when first opened
let insight; // the "look inside" views (insight.js)
const tooltip = new Tooltip($("tooltip"));
setSourceNamer((target) => {
  const features = page.frame ? page.frame.features : [];
  if (target.layer === 0 && features[target.i]) {
    const info = entries(page.options.features).find((f) => f.name === features[target.i]);
    return info && info.label ? info.label : features[target.i];
  }
  return `neuron ${target.i + 1} of layer ${target.layer}`;
});
const diagnostics = new DiagnosticsView($("diagnostics"));
const editor = new WeightEditor($("weight-editor"), (target, value) => {
  session.setWeight(target.layer, target.kind, target.i, target.j, value);
});

function build(options) {
  page.options = options;
  page.fields = fieldMap(options);
  page.tfNote = mergeTfLink(page, location.hash, options.tf_link, page.fields);
  page.limits = options.limits || {};
  controls = new Controls(page.fields, options, change);
  controls.build({ topbar: $("slot-topbar"), data: $("slot-data"), training: $("slot-training"),
    advanced: $("slot-advanced") });
  picker = new DatasetPicker($("dataset-picker"), options, (name) => edits.pickDataset(name));
  picker.build();
  picker.loadPreviews();
  network = new NetworkView($("network"), {
    toggleFeature: (name) => edits.toggleFeature(name),
    neurons: (layer, delta) => edits.neurons(layer, delta),
    layerActivation: (layer, name) => edits.layerActivation(layer, name),
    hoverNeuron: (index) => {
      page.hoverNeuron = index;
      redrawBoundary();
    },
    hoverParam: (target, event) => showParam(target, event),
    editWeight: (target, event) => {
      tooltip.hide();
      editor.open(target, network.weightValue(target.kind, target.layer, target.i, target.j),
        event);
    },
    neuronClick: (layer, index) => {
      const next = { active: "off", off: "frozen", frozen: "active" };
      session.setNeuron(layer, index, next[network.neuronState(layer, index)] || "off");
    },
  });
  insight = new Insight($("insight"), $("insight-buttons"), {
    session,
    options,
    useLearningRate: (lr) => change({ learning_rate: lr }),
    run: () => views.runs.selected,
    maxHiddenLayer: (page.limits.max_hidden_layers || 8) - 1,
  });
  network.setup({
    activationChoices: choicesOf(page.fields.activation, options.activations),
    features: entries(options.features),
    hideInactiveFeatures: page.hide.has("features"),
    maxNeurons: page.limits.max_neurons || 32,
    hide: page.hide,
    diagram: options.diagram,
  });
  boundary = new Boundary($("boundary"), (x1, x2, shift) => edits.addPoint(x1, x2, shift));
  boundary.init();
  boundary.showTest = Boolean(page.view.test);
  boundary.discretize = Boolean(page.view.discretize);
  $("show-test").checked = boundary.showTest;
  $("discretize").checked = boundary.discretize;
  charts = new Charts($("loss-chart"), $("accuracy-chart"));
  charts.init();
  views.attach(charts, boundary, page.limits, network);
  sweep = new SweepView($("sweep"), session, options.sweep, { tell: banner });
  controls.setSpeed(page.view.speed);
  applyHide(page.hide);
  page.built = true;
}

/** A lesson scene's hide flags replace the page's. */
function setHide(flags) {
  page.hide = new Set(flags);
  for (const el of document.querySelectorAll(".hidden-by-url")) el.classList.remove("hidden-by-url");
  applyHide(page.hide);
}

/** Configure the selected run from the defaults plus `partial` (a lesson scene). */
function configureFrom(partial) {
  page.url.config = { ...partial };
  page.auto = autoFields(page.fields, partial);
  session.configure(withAuto({ ...page.helloConfig, ...partial }, page.auto));
  session.reset(); // a scene starts from fresh weights, even when its layers did not change
}

function onHello(message, { reconnected }) {
  if (!page.built) build(message.options);
  if (reconnected) {
    insight.reopen();
    // The session restores its last snapshot itself; without one, resend the config.
    if (session.lastSnapshot === null && page.config) {
      session.configure(withAuto(page.config, page.auto));
    }
    return;
  }
  page.auto = autoFields(page.fields, page.url.config);
  page.helloConfig = message.config;
  const config = { ...message.config, ...page.url.config };
  // A reload continues the stored session (unless the address asks for another run).
  if (lessons.startFromUrl()) {
    // the lesson's scene configures the run
  } else if (!views.restoreStored(page.url.config)) {
    session.configure(withAuto(config, page.auto));
  }
  const view = message.view || {};
  const viewChanges = {};
  if (page.view.speed !== view.speed) viewChanges.speed = page.view.speed;
  if (page.view.diagnostics) viewChanges.diagnostics = true;
  if (Object.keys(viewChanges).length > 0) session.set(viewChanges);
  $("show-diagnostics").checked = Boolean(page.view.diagnostics);
  diagnostics.show(Boolean(page.view.diagnostics));
  const said = page.tfNote ? [page.tfNote] : [];
  if (page.url.problems.length > 0) {
    said.push(`Some settings in the address could not be read: ${page.url.problems.join("; ")}`);
  }
  if (said.length > 0) banner(said.join(" "));
}

function onConfig(message) {
  views.onConfig(message);
  if (message.run && message.run !== views.runs.selected) return; // another run's config
  if (message.change === "init" && page.configured) {
    banner("The initializer or initial bias changed, so the weights were drawn again " +
      "(as Reset does): training starts over from step 0 on the same data.");
  }
  page.config = message.config;
  page.configured = true;
  if (message.view && message.view.speed) page.view.speed = message.view.speed;
  if (page.keepErrors) page.keepErrors = false;
  else controls.clearErrors();
  controls.update(page.config, page.auto);
  controls.setSpeed(page.view.speed);
  picker.select(page.config.dataset);
  $("custom-tools").hidden = page.config.dataset !== "custom";
  const layers = page.config.hidden.length;
  $("layer-count").textContent = String(layers);
  $("add-layer").disabled = layers >= (page.limits.max_hidden_layers || 8);
  $("remove-layer").disabled = layers === 0;
  charts.setRegression(page.config.problem === "regression");
  writeLocation();
}

function writeLocation() {
  const view = { speed: page.view.speed };
  if (page.view.test) view.test = true;
  if (page.view.discretize) view.discretize = true;
  if (page.view.diagnostics) view.diagnostics = true;
  const query = writeUrl(page.config, { auto: page.auto, view, hide: page.hide,
    fields: page.fields });
  const extra = [lessons.query(), presenter.query()].filter(Boolean).join("&");
  history.replaceState(null, "", `${location.pathname}?${query}${extra ? `&${extra}` : ""}`);
}

function onError(message) {
  if (message.request === "sweep" && sweep) {
    sweep.onError(message);
    return;
  }
  if (insight && insight.error(message)) return; // shown in the view's own pane
  if (views.restoreRefused(message, page.configured)) {
    session.configure(withAuto({ ...page.helloConfig, ...page.url.config }, page.auto));
    return;
  }
  const starting = !page.configured;
  if (!page.configured && message.request === "configure" && page.helloConfig) {
    // The address held a value the server refuses: say so, drop that value (or, if the
    // server names none, every value) and start from the rest.
    const rest = { ...page.url.config };
    if (message.field in rest) delete rest[message.field];
    else for (const name of Object.keys(rest)) delete rest[name];
    page.url.config = rest;
    page.auto = autoFields(page.fields, rest);
    session.configure(withAuto({ ...page.helloConfig, ...rest }, page.auto));
    page.config = page.helloConfig;
    page.keepErrors = true; // the answer to this fallback must not wipe the message
  }
  const field = message.field;
  const shown = Boolean(field) && controls.showError(field, message.message);
  // While the address is being applied, every refused value is kept in the banner.
  if (!shown) banner(field ? `${field}: ${message.message}` : message.message, starting);
  if (page.config) {
    controls.update(page.config, page.auto); // every control back to the accepted value
    picker.select(page.config.dataset);
  }
}

function onEvent(message) {
  views.onEvent(message);
  if (message.event === "playing") setPlaying(true);
  if (["paused", "done", "diverged"].includes(message.event)) setPlaying(false);
  if (message.event === "diverged") {
    // The engine's reason already names the step, what happened and what to try.
    let text = String(message.reason || message.message || "").replace(/\.+\s*$/, "");
    if (!text.startsWith("Training diverged")) {
      text = `Training diverged at step ${message.step}: ${text || "the loss exploded"}`;
    }
    banner(`${text}.`);
    page.divergedBanner = true;
  } else if (page.divergedBanner && ["reset", "playing"].includes(message.event)) {
    $("banner").hidden = true; // recovered: the old divergence no longer applies
    page.divergedBanner = false;
  }
}

function onFrame(frame) {
  if (frame.type === "sweep") {
    if (sweep) sweep.draw(frame);
    return;
  }
  if (insight) insight.points(frame);
  if (!page.configured) {
    // A frame of the server's default, before our config: not drawn, but its data points
    // are kept (they are only sent again when the data changes).
    if (frame.arrays.points) boundary.setPoints(frame);
    return;
  }
  charts.add(frame);
  lessons.onFrame(frame); // any run may meet the scene's goal (A | B scenes)
  if (!views.frame(frame)) return; // another run's frame: drawn on its compare side
  page.frame = frame;
  exporter.onFrame(frame);
  $("epoch").textContent = String(frame.epoch);
  $("epoch").dataset.seq = String(frame.seq);
  $("step-count").textContent = String(frame.step);
  showNumber("train-loss", frame.train_loss, fmt(frame.train_loss));
  showNumber("test-loss", frame.test_loss, fmt(frame.test_loss));
  const acc = frame.test_accuracy;
  showNumber("test-acc", acc, acc === null || acc === undefined ? "n/a" : `${(100 * acc).toFixed(1)}%`);
  controls.showRate(frame.learning_rate);
  showSplit(frame.n_train, frame.n_test);
  network.draw(frame);
  if (!views.compare.active) boundary.draw(frame, neuronGrid());
  diagnostics.draw(frame.diagnostics);
  insight.frame(frame);
  tooltip.refresh((t) => network.weightValue(t.kind, t.layer, t.i, t.j));
}

/** Say how the points are split, e.g. that 20 custom points at ratio 0.5 train on 10. */
function showSplit(nTrain, nTest) {
  if (typeof nTrain !== "number" || typeof nTest !== "number") return;
  const text = `Training on ${nTrain} of ${nTrain + nTest} points; the other ${nTest} test it.`;
  if ($("split-note").textContent !== text) $("split-note").textContent = text;
}

/** Show a rounded number; the exact value stays in data-value (for tests and copying). */
function showNumber(id, value, text) {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = value === null || value === undefined ? "" : String(value);
}

function fmt(value) {
  return value === null || value === undefined ? "–" : value.toFixed(3);
}

function neuronGrid() {
  const frame = page.frame;
  if (page.hoverNeuron === null || !frame || !frame.arrays.neurons) {
    $("hover-note").hidden = true;
    return null;
  }
  const { data, shape } = frame.arrays.neurons;
  const k = page.hoverNeuron;
  if (k >= shape[0]) return null;
  const r = shape[1];
  const ranges = frame.arrays.neuron_ranges.data;
  $("hover-note").hidden = false;
  $("hover-note").textContent = `Showing ${network.neuronName(k)}: its output over the input square`;
  return { data, offset: k * r * r, r, range: [ranges[2 * k], ranges[2 * k + 1]] };
}

function redrawBoundary() {
  if (!boundary || !page.frame) return;
  if (views.compare.active) views.compare.draw(page.frame, neuronGrid());
  else boundary.draw(page.frame, neuronGrid());
}

function showParam(target, event) {
  if (target === null) {
    tooltip.hide();
    return;
  }
  tooltip.show(target, event, network.weightValue(target.kind, target.layer, target.i, target.j));
}

/** A user change to the run (null = automatic) or, with `viewChanges`, to the view. */
function change(changes, viewChanges = null) {
  if (viewChanges) {
    Object.assign(page.view, viewChanges);
    session.set(viewChanges);
    if (page.config) writeLocation();
    return;
  }
  session.set(runChanges(page, changes));
}

const edits = new Edits(page, change, banner);

function setPlaying(playing) {
  page.playing = playing;
  const button = $("play");
  button.classList.toggle("playing", playing);
  button.setAttribute("aria-pressed", String(playing));
  button.setAttribute("aria-label", playing ? "Pause" : "Play");
}

function togglePlay() {
  if (page.playing) session.pause(views.target());
  else session.play(views.target());
  setPlaying(!page.playing);
}

/** Step by the size chosen beside the button: a frame's steps, one mini-batch, or the epoch. */
function step() {
  const size = $("step-size").value;
  if (size === "epoch") session.stepEpoch(views.target());
  else session.step(size === "batch" ? 1 : page.view.speed, views.target());
}
const reset = () => session.reset();

/** Show a message; with `append`, after the one shown (unless that one is dismissed). */
function banner(text, append = false) {
  const el = $("banner-text");
  const keep = append && !$("banner").hidden && el.textContent;
  el.textContent = keep ? `${el.textContent} ${text}` : text;
  $("banner").hidden = false;
}

function showStatus(state, reason = "") {
  const el = $("conn");
  el.dataset.state = state;
  el.textContent = {
    connecting: "connecting…",
    connected: "live",
    disconnected: `reconnecting…${reason ? ` (${reason})` : ""}`,
  }[state];
}

function toggleFullscreen(force = null) {
  const panel = $("output-panel");
  const on = force === null ? !panel.classList.contains("fullscreen") : force;
  panel.classList.toggle("fullscreen", on);
}

async function share() {
  const url = location.href;
  const button = $("share");
  try {
    await navigator.clipboard.writeText(url);
    button.textContent = "Link copied";
  } catch {
    window.prompt("Copy this link:", url);
  }
  setTimeout(() => {
    button.textContent = "Share";
  }, 2000);
}

$("play").addEventListener("click", togglePlay);
$("step").addEventListener("click", step);
$("reset").addEventListener("click", reset);
$("regenerate").addEventListener("click", () => session.regenerate());
$("share").addEventListener("click", share);
$("sweep-toggle").addEventListener("click", () => sweep && sweep.toggle());
$("add-layer").addEventListener("click", () => edits.addLayer());
$("remove-layer").addEventListener("click", () => edits.removeLayer());
$("custom-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) edits.loadCsv(await file.text());
  e.target.value = "";
});
$("custom-clear").addEventListener("click", () => edits.clearPoints());
$("banner-close").addEventListener("click", () => {
  $("banner").hidden = true;
});
$("show-test").addEventListener("change", (e) => {
  views.compare.setToggles(e.target.checked, boundary.discretize);
  boundary.showTest = e.target.checked;
  boundary.invalidate();
  page.view.test = e.target.checked;
  redrawBoundary();
  if (page.config) writeLocation();
});
$("discretize").addEventListener("change", (e) => {
  views.compare.setToggles(boundary.showTest, e.target.checked);
  boundary.discretize = e.target.checked;
  page.view.discretize = e.target.checked;
  redrawBoundary();
  if (page.config) writeLocation();
});
$("show-diagnostics").addEventListener("change", (e) => {
  page.view.diagnostics = e.target.checked;
  diagnostics.show(e.target.checked);
  session.set({ diagnostics: e.target.checked });
  if (page.config) writeLocation();
});
bindKeyboard({
  togglePlay,
  step,
  reset,
  toggleFullscreen: () => toggleFullscreen(),
  exitFullscreen: () => toggleFullscreen(false),
});
new ResizeObserver(() => {
  if (page.frame && network) network.draw(page.frame);
}).observe($("network"));

// A read-only handle for benchmarks and debugging (frame counts, draw time).
window.playground = {
  session,
  page,
  get charts() {
    return charts;
  },
  get boundary() {
    return boundary;
  },
  get network() {
    return network;
  },
  get insight() {
    return insight;
  },
  views,
  lessons,
  presenter,
  exporter,
  get sweep() {
    return sweep;
  },
};

const bootstrap = readBootstrap();
if (bootstrap) build(bootstrap.options);
session.connect();

/** The options embedded in the page by the server, or null (then the hello brings them). */
function readBootstrap() {
  const el = document.getElementById("bootstrap");
  try {
    return el ? JSON.parse(el.textContent) : null;
  } catch {
    return null;
  }
}
