/**
 * The only module that knows URLs and message shapes (docs/protocol.md).
 *
 * It owns the WebSocket: commands out, JSON messages and binary frames in. Frames are
 * paced here: only the newest undrawn frame of each run is kept (stale ones are dropped,
 * never queued), it is decoded and drawn in requestAnimationFrame, and the ack is sent
 * only after drawing, so the server never outruns the page. If the socket drops (server
 * restart, another replica), it reconnects and restores the last session snapshot
 * (every run); the `snapshot` handler lets the page keep it across a reload. How often
 * it asks for that snapshot is the server's rule (`limits.snapshot_every_seconds` and
 * `limits.snapshot_every_steps` in `hello`): what a crashed replica loses is bounded by it.
 */

const WS_PATH = "/ws";
const DATASET_PATH = "/api/dataset";
const POINTS_PATH = "/api/points/parse";
const SNAPSHOT_EVERY_MS = 2000; // until hello says otherwise (servers without the limits)
const RECONNECT_MIN_MS = 300;
const RECONNECT_MAX_MS = 4000;
const POINT_ARRAYS = ["points", "labels", "is_train"];
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Binary replies to insight requests (not frames: never acked, never a run's picture). */
const INSIGHT_REPLIES = ["landscape", "lr_range"];

/**
 * Decode one binary frame: uint32 LE header length, UTF-8 JSON header, then the payload.
 * Returns the header object with `arrays` replaced by {name: {data, shape, range}}.
 * Throws Error with a plain message on a malformed frame.
 */
export function decodeFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 4) {
    throw new Error("frame too short");
  }
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) throw new Error("frame header overruns the frame");
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
  const payloadStart = 4 + headerLength;
  const arrays = {};
  for (const spec of header.arrays || []) {
    arrays[spec.name] = decodeArray(buffer, payloadStart, spec);
  }
  header.arrays = arrays;
  return header;
}

function decodeArray(buffer, payloadStart, spec) {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const start = payloadStart + spec.offset;
  let data;
  if (spec.dtype === "uint8") {
    if (start + count > buffer.byteLength) throw new Error(`array ${spec.name} overruns`);
    data = new Uint8Array(buffer, start, count);
  } else if (spec.dtype === "float32") {
    if (start + 4 * count > buffer.byteLength) throw new Error(`array ${spec.name} overruns`);
    if (LITTLE_ENDIAN && start % 4 === 0) {
      data = new Float32Array(buffer, start, count);
    } else {
      // Unaligned (header length not a multiple of 4) or big-endian host: copy once.
      data = new Float32Array(count);
      const view = new DataView(buffer, start, 4 * count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat32(4 * k, true);
    }
  } else {
    throw new Error(`array ${spec.name} has unsupported dtype ${spec.dtype}`);
  }
  return { data, shape: spec.shape, range: spec.range || null };
}

/**
 * A live session. `handlers` gets: hello(msg, {reconnected}), config(msg), error(msg),
 * event(msg), frame(frame) (draw it; called inside requestAnimationFrame), status(state),
 * runs({runs, selected}), timeline(msg), snapshot(sessionSnapshot), sweep(msg), neurons(msg),
 * and the insight replies landscape(reply) and lr_range(reply) (binary, decoded like frames).
 * A sweep frame has `type: "sweep"` and `run: "sweep"` (docs/protocol.md, Sweeps).
 * A frame's `run` is its run id ("A" from servers without runs), `at` a past step or null.
 */
export class Session {
  constructor(handlers) {
    this.handlers = handlers;
    this.socket = null;
    this.pendingFrames = new Map(); // run id -> newest undrawn frame
    this.runSnapshotWaiters = [];
    this.drawScheduled = false;
    this.lastSnapshot = null;
    this.playing = false;
    this.playTarget = undefined; // what the last play named ("all" in compare mode)
    this.everConnected = false;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.snapshotTimer = null;
    this.framesSinceSnapshot = 0;
    this.snapshotEvery = { ms: SNAPSHOT_EVERY_MS, steps: Infinity };
    this.snapshotAsked = { at: 0, step: 0 };
    this.stats = { received: 0, drawn: 0, dropped: 0, drawMs: 0 };
  }

  /** Open the socket (and keep reopening it if it drops). */
  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${WS_PATH}`);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.emit("status", "connecting");
    socket.addEventListener("message", (event) => this.onMessage(event));
    socket.addEventListener("close", (event) => this.onClose(event));
  }

  onClose(event) {
    if (this.socket === null) return;
    this.socket = null;
    clearInterval(this.snapshotTimer);
    this.emit("status", "disconnected", event.reason || "");
    setTimeout(() => this.connect(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  onMessage(event) {
    if (typeof event.data !== "string") {
      this.onFrameBytes(event.data);
      return;
    }
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    switch (message.type) {
      case "hello":
        this.onHello(message);
        break;
      case "snapshot":
        this.onSnapshot(message);
        break;
      case "runs":
        this.emit("runs", { runs: message.runs, selected: message.selected });
        break;
      case "timeline":
        this.emit("timeline", message);
        break;
      case "sweep":
        this.emit("sweep", message);
        break;
      case "event":
        if (["paused", "diverged", "done"].includes(message.event)) this.playing = false;
        if (message.event === "playing") this.playing = true;
        this.emit("event", message);
        break;
      case "config":
        this.emit("config", { ...message, run: message.run || "A" });
        break;
      case "error":
      case "neurons":
        this.emit(message.type, message);
        break;
      default:
        break;
    }
  }

  /**
   * Keep only the newest undrawn frame. Data points travel only in the frame after the
   * data changed, so a dropped frame hands its points on to the one that replaces it.
   */
  onFrameBytes(buffer) {
    this.stats.received += 1;
    const started = performance.now();
    let frame;
    try {
      frame = decodeFrame(buffer);
    } catch {
      return; // a malformed frame is skipped; the next one replaces it
    }
    if (INSIGHT_REPLIES.includes(frame.type)) {
      this.emit(frame.type, frame); // an insight view's reply: not a frame, not acked
      return;
    }
    frame.run = frame.run || "A";
    frame.at = frame.at === undefined ? null : frame.at;
    const older = this.pendingFrames.get(frame.run);
    if (older !== undefined) {
      this.stats.dropped += 1;
      for (const name of POINT_ARRAYS) {
        if (older.arrays[name] && !frame.arrays[name]) frame.arrays[name] = older.arrays[name];
      }
    }
    this.pendingFrames.set(frame.run, frame);
    this.stats.drawMs += performance.now() - started;
    this.scheduleDraw();
  }

  onHello(message) {
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.emit("status", "connected");
    this.emit("hello", message, { reconnected });
    if (message.runs) this.emit("runs", { runs: message.runs, selected: message.selected });
    if (reconnected && this.lastSnapshot !== null) {
      this.send({ type: "restore", snapshot: this.lastSnapshot });
      if (this.playing) this.send(withRun({ type: "play" }, this.playTarget));
    }
    const limits = message.limits || {};
    this.snapshotEvery = {
      ms: 1000 * (limits.snapshot_every_seconds || SNAPSHOT_EVERY_MS / 1000),
      steps: limits.snapshot_every_steps || Infinity,
    };
    this.snapshotAsked = { at: performance.now(), step: 0 };
    clearInterval(this.snapshotTimer);
    this.snapshotTimer = setInterval(() => this.maybeSnapshot(), this.snapshotEvery.ms);
  }

  /**
   * Ask for a snapshot (kept for reconnects) when something was drawn since the last one
   * and either `snapshot_every_seconds` passed or a frame is `snapshot_every_steps` on.
   */
  maybeSnapshot(frame = null) {
    if (this.framesSinceSnapshot === 0) return;
    const now = performance.now();
    const step = frame && Number.isFinite(frame.step) ? frame.step : null;
    const late = now - this.snapshotAsked.at >= this.snapshotEvery.ms;
    const far =
      step !== null && Math.abs(step - this.snapshotAsked.step) >= this.snapshotEvery.steps;
    if (!late && !far) return;
    this.framesSinceSnapshot = 0;
    this.snapshotAsked = { at: now, step: step ?? this.snapshotAsked.step };
    this.send({ type: "snapshot" });
  }

  scheduleDraw() {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => this.drawPending());
  }

  drawPending() {
    this.drawScheduled = false;
    const frames = [...this.pendingFrames.values()];
    this.pendingFrames.clear();
    for (const frame of frames) {
      const started = performance.now();
      try {
        this.emit("frame", frame);
      } finally {
        this.stats.drawMs += performance.now() - started;
        this.stats.drawn += 1;
        this.framesSinceSnapshot += 1;
        this.send({ type: "ack", seq: frame.seq });
        if (frame.at === null) this.maybeSnapshot(frame);
      }
    }
  }

  /** A session snapshot is kept (for reconnects) and handed on; a run's goes to its waiter. */
  onSnapshot(message) {
    if (message.run) {
      const waiter = this.runSnapshotWaiters.shift();
      if (waiter) waiter({ run: message.run, snapshot: message.snapshot });
      return;
    }
    this.lastSnapshot = message.snapshot;
    this.emit("snapshot", message.snapshot);
  }

  emit(name, ...args) {
    const handler = this.handlers[name];
    if (handler) handler(...args);
  }

  /** Send a command; silently dropped while disconnected (the snapshot restores state). */
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  configure(config) {
    return this.send({ type: "configure", config });
  }
  set(changes) {
    return this.send({ type: "set", changes });
  }
  play(run = undefined) {
    this.playing = true;
    this.playTarget = run;
    return this.send(withRun({ type: "play" }, run));
  }
  pause(run = undefined) {
    this.playing = false;
    return this.send(withRun({ type: "pause" }, run));
  }
  step(n, run = undefined) {
    return this.send(withRun({ type: "step", n }, run));
  }
  /** Train to the end of the current epoch (the server knows how many steps that is). */
  stepEpoch(run = undefined) {
    return this.send(withRun({ type: "step", until: "epoch" }, run));
  }
  reset() {
    return this.send({ type: "reset" });
  }
  regenerate() {
    return this.send({ type: "regenerate" });
  }
  setWeight(layer, kind, i, j, value) {
    const message = { type: "set_weight", layer, kind, j, value };
    if (kind === "weight") message.i = i;
    return this.send(message);
  }
  /** Neuron surgery: state is "active", "off" or "frozen". */
  setNeuron(layer, index, state, run = undefined) {
    return this.send(withRun({ type: "set_neuron", layer, index, state }, run));
  }
  /** Ask for the loss landscape ({directions, resolution, span, seed}); reply: landscape. */
  requestLandscape(options, run = undefined) {
    return this.send(withRun({ type: "landscape", ...options }, run));
  }
  /** Ask for the LR range test ({start, stop, steps}); reply: lr_range. */
  requestLrRange(options, run = undefined) {
    return this.send(withRun({ type: "lr_range", ...options }, run));
  }
  requestSnapshot() {
    return this.send({ type: "snapshot" });
  }
  /** Resolves with {run, snapshot}: the run's file ("nn-playground/snapshot"). */
  runSnapshot(run) {
    return new Promise((resolve, reject) => {
      if (!this.send({ type: "snapshot", run })) reject(new Error("not connected"));
      else this.runSnapshotWaiters.push(resolve);
    });
  }
  /** A session snapshot (all runs), or a run file into `run` / as a new run. */
  restore(snapshot, { run = undefined, asNew = false } = {}) {
    if (isSessionSnapshot(snapshot)) this.lastSnapshot = snapshot; // also after a reconnect
    const message = withRun({ type: "restore", snapshot }, run);
    if (asNew) message.as_new = true;
    return this.send(message);
  }
  /** Show `run` as it was at `step` (null: back to live). */
  seek(run, step) {
    return this.send(withRun({ type: "seek", step }, run));
  }
  rewind(run, step) {
    return this.send(withRun({ type: "rewind", step }, run));
  }
  fork(run, step = undefined) {
    const message = withRun({ type: "fork" }, run);
    if (step !== undefined && step !== null) message.step = step;
    return this.send(message);
  }
  select(run) {
    return this.send({ type: "select", run });
  }
  closeRun(run) {
    return this.send({ type: "close_run", run });
  }
  requestTimeline(run) {
    return this.send(withRun({ type: "timeline" }, run));
  }
  /** A sweep command: action start|play|pause|step|view|open|close and its fields. */
  sweep(action, fields = {}) {
    return this.send({ type: "sweep", action, ...fields });
  }
}

/** True for a session snapshot (all runs), false for one run's file. */
export function isSessionSnapshot(snapshot) {
  return Boolean(snapshot) && String(snapshot.format || "").startsWith("nn-playground.session");
}

function withRun(message, run) {
  if (run !== undefined && run !== null) message.run = run;
  return message;
}

/** Points of a dataset config for the picker previews: {train, test}: {points, labels}. */
export async function fetchDatasetPoints(config) {
  const response = await fetch(DATASET_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ config }),
  });
  if (!response.ok) throw new Error(`dataset preview failed: ${response.status}`);
  return response.json();
}

/* Lessons and exports (issue 13): REST, so the URLs live here too. */
const LESSONS_PATH = "/api/lessons";
/** The speaker-notes window's page (presenter mode). */
export const NOTES_PAGE = "/notes";
const EXPORT_PATH = "/api/export";

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${url}: ${response.status}`);
  return body;
}

/** Every lesson: [{name, title, source, scenes, valid, problems?}]. */
export async function fetchLessons() {
  return (await getJson(LESSONS_PATH)).lessons;
}

/** One lesson: {name, title, intro_html, scenes: [{title, html, notes_html, config, ...}]}. */
export function fetchLesson(name) {
  return getJson(`${LESSONS_PATH}/${encodeURIComponent(name)}`);
}

/** The saved run a scene (1-based) starts from. */
export function fetchSceneRun(name, scene) {
  return getJson(`${LESSONS_PATH}/${encodeURIComponent(name)}/scenes/${scene}/run`);
}

/** A run file exported as `kind` ("numpy" or "model"): resolves with a Blob. */
export async function exportRun(kind, run) {
  const response = await fetch(`${EXPORT_PATH}/${kind}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ run }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || `export failed: ${response.status}`);
  }
  return response.blob();
}

/**
 * A point file's rows [x1, x2, label], read by the server with the CLI's parser (one set
 * of rules: BOM, quotes, `,` `;` or tab, an optional header). Throws an Error whose
 * message names the bad line (and `line`, 1-based) when the file cannot be used.
 */
export async function parsePoints(text) {
  const response = await fetch(POINTS_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text }),
  });
  const body = await response.json().catch(() => null);
  if (response.ok && body && Array.isArray(body.rows)) return body.rows;
  const detail = body && body.detail && !Array.isArray(body.detail) ? body.detail : null;
  const error = new Error(
    (detail && detail.message) || (body && body.error) || `the server answered ${response.status}`
  );
  error.line = detail ? detail.line : null;
  throw error;
}
