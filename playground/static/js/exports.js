/**
 * Exports from the page (issue 13): a PNG of the output panel and of the whole
 * playground, a WebM recording of the run, and the selected run as a NumPy script or
 * model JSON. The last two start from the run file that *Download run* fetches
 * (`session.runSnapshot`) and let the server convert it (POST /api/export/...), so the
 * page and `nn-playground export` share one converter.
 *
 * The video is recorded in the browser: a canvas is repainted from each frame of the
 * selected run (its boundary picture, the training points and the loss curve so far) and
 * `MediaRecorder` encodes `canvas.captureStream(fps)` as WebM. No GIF is offered.
 */
import { exportRun } from "./api.js";
import { downloadBlob } from "./runstore.js";

const $ = (id) => document.getElementById(id);
export const OUTPUT_PNG = { width: 1200, height: 1000 };
export const VIDEO = { width: 1280, height: 720 };
// VP8 first: it encodes faster than VP9, so a busy laptop still keeps up.
const VIDEO_TYPES = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"];
const ENCODER_GRACE_MS = 8000; // how long to wait for a slow encoder's first data
const POINT_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#8c564b"];

/** A `data:` URL as a Blob, decoded here: the CSP's connect-src refuses fetch("data:..."). */
async function dataUrlToBlob(url) {
  const comma = url.indexOf(",");
  const head = url.slice(5, comma); // after "data:": "image/png;base64"
  const body = url.slice(comma + 1);
  if (!head.endsWith(";base64")) return new Blob([decodeURIComponent(body)], { type: head });
  const text = atob(body);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return new Blob([bytes], { type: head.slice(0, -";base64".length) });
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("image failed to load"));
    image.src = src;
  });
}

function visible(el) {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && el.offsetParent !== null ? box : null;
}

export class Exports {
  /**
   * @param {object} session the api.js Session
   * @param {object} hooks boundary() (the Boundary showing the selected run), selected(),
   *   playing(), play(), tell(text)
   */
  constructor(session, hooks) {
    this.session = session;
    this.hooks = hooks;
    this.recording = null; // {losses: [[epoch, train, test]], frame}
    this.last = null; // {kind, type, size} of the last export (tests read it)
    const on = (id, fn) => $(id).addEventListener("click", () => this.run(fn));
    on("export-output-png", async () => downloadBlob(await this.outputPng(), "output.png"));
    on("export-page-png", async () => downloadBlob(await this.pagePng(), "playground.png"));
    on("export-video", async () => {
      const seconds = Number($("video-length").value);
      const fps = Number($("video-fps").value);
      downloadBlob(await this.recordVideo({ seconds, fps }), "run.webm");
    });
    on("export-numpy", async () => downloadBlob(await this.exportRun("numpy"), "model.py"));
    on("export-model", async () => downloadBlob(await this.exportRun("model"), "model.json"));
  }

  async run(fn) {
    $("export-menu").open = false;
    try {
      await fn();
    } catch (error) {
      this.hooks.tell(`Export failed: ${error.message}`);
    }
  }

  note(kind, blob) {
    this.last = { kind, type: blob.type, size: blob.size };
    return blob;
  }

  /** The output panel's plot (boundary, points, colour legend) as a PNG Blob. */
  async outputPng() {
    const url = await Plotly.toImage(this.hooks.boundary().el, { format: "png", ...OUTPUT_PNG });
    return this.note("output-png", await dataUrlToBlob(url));
  }

  /**
   * The whole playground as one PNG, the size of the window (× devicePixelRatio): the
   * panels, every canvas (the network, neuron pictures), every Plotly chart and the main
   * labels, each drawn at its place on screen. Form controls are not drawn.
   */
  async pagePng() {
    const scale = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(window.innerWidth * scale);
    canvas.height = Math.round(window.innerHeight * scale);
    const ctx = canvas.getContext("2d");
    ctx.scale(scale, scale);
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor || "#f3f4f6";
    ctx.fillRect(0, 0, window.innerWidth, window.innerHeight);
    for (const el of document.querySelectorAll(".panel, .topbar, .lesson-bar")) {
      const box = visible(el);
      if (!box) continue;
      ctx.fillStyle = "#fff";
      ctx.strokeStyle = "#c9c9c9";
      ctx.fillRect(box.left, box.top, box.width, box.height);
      ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.width - 1, box.height - 1);
    }
    for (const el of document.querySelectorAll(".workspace canvas")) {
      const box = visible(el);
      if (box && el.width > 0 && el.height > 0) {
        ctx.drawImage(el, box.left, box.top, box.width, box.height);
      }
    }
    for (const el of document.querySelectorAll(".js-plotly-plot")) {
      const box = visible(el);
      if (!box) continue;
      const url = await Plotly.toImage(el, { format: "png", width: box.width, height: box.height });
      ctx.drawImage(await loadImage(url), box.left, box.top, box.width, box.height);
    }
    const labels = "h2, .counter, .metrics > div, .feature-label, .layer-caption, "
      + "#lesson-title, #scene-text p, #scene-text li, .goal";
    ctx.textBaseline = "top";
    for (const el of document.querySelectorAll(labels)) {
      const box = visible(el);
      if (!box) continue;
      const style = getComputedStyle(el);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      ctx.fillStyle = style.color;
      ctx.fillText(el.innerText.replace(/\s+/g, " ").trim(), box.left, box.top, box.width);
    }
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    return this.note("page-png", blob);
  }

  /** The selected run's file as `kind` ("numpy" or "model"), through the run download's path. */
  async exportRun(kind) {
    const { snapshot } = await this.session.runSnapshot(this.hooks.selected());
    return this.note(kind, await exportRun(kind, snapshot));
  }

  /** A frame of the selected run arrived: remember it while recording. */
  onFrame(frame) {
    if (!this.recording || frame.at !== null) return;
    this.recording.frame = frame;
    const losses = this.recording.losses;
    if (!losses.length || losses[losses.length - 1][0] !== frame.epoch) {
      losses.push([frame.epoch, frame.train_loss, frame.test_loss]);
    }
  }

  /**
   * Record `seconds` of the run at `fps` frames per second as a WebM Blob; training
   * plays meanwhile (it is started if paused), so the video shows the boundary and the
   * loss curve evolving over the epochs.
   */
  recordVideo({ seconds = 5, fps = 30 } = {}) {
    if (typeof MediaRecorder !== "function") {
      return Promise.reject(new Error("this browser cannot record video (no MediaRecorder)"));
    }
    const type = VIDEO_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    if (!type) return Promise.reject(new Error("this browser cannot record WebM"));
    const canvas = document.createElement("canvas");
    canvas.width = VIDEO.width;
    canvas.height = VIDEO.height;
    this.recording = { losses: [], frame: null };
    this.paint(canvas);
    const recorder = new MediaRecorder(canvas.captureStream(fps), { mimeType: type });
    const chunks = [];
    let encoded = 0;
    let due = false;
    recorder.ondataavailable = (e) => {
      if (e.data && e.data.size > 0) chunks.push(e.data);
      encoded += e.data ? e.data.size : 0;
      // The length counts video, not a busy machine's encoder start-up.
      if (due && encoded > 1 && recorder.state === "recording") recorder.stop();
    };
    if (!this.hooks.playing()) this.hooks.play();
    $("export-status").textContent = `recording ${seconds} s…`;
    const timer = setInterval(() => this.paint(canvas), 1000 / fps);
    return new Promise((resolve) => {
      recorder.onstop = () => {
        clearInterval(timer);
        this.recording = null;
        $("export-status").textContent = "";
        resolve(this.note("video", new Blob(chunks, { type: "video/webm" })));
      };
      recorder.start(250);
      setTimeout(() => {
        due = true;
        if (encoded > 1) recorder.stop();
      }, seconds * 1000);
      setTimeout(() => recorder.state === "recording" && recorder.stop(),
        seconds * 1000 + ENCODER_GRACE_MS);
    });
  }

  /** One video frame: the boundary with its points on the left, the loss curve right. */
  paint(canvas) {
    const ctx = canvas.getContext("2d");
    const { width, height } = canvas;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    const boundary = this.hooks.boundary();
    const side = height - 100;
    const [x0, y0] = [40, 70];
    ctx.imageSmoothingEnabled = true;
    if (boundary.canvas.width > 1) ctx.drawImage(boundary.canvas, x0, y0, side, side);
    ctx.strokeStyle = "#888";
    ctx.strokeRect(x0, y0, side, side);
    const train = boundary.data[1];
    for (let k = 0; k < train.x.length; k++) {
      const px = x0 + ((train.x[k] + 6) / 12) * side;
      const py = y0 + ((6 - train.y[k]) / 12) * side;
      const color = train.marker.color[k];
      ctx.fillStyle = typeof color === "string" ? color : POINT_COLORS[color > 0 ? 1 : 0];
      ctx.beginPath();
      ctx.arc(px, py, 4, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    }
    const frame = this.recording ? this.recording.frame : null;
    ctx.fillStyle = "#1b1b1b";
    ctx.font = "bold 34px system-ui, sans-serif";
    ctx.textBaseline = "top";
    const loss = frame && frame.test_loss !== null ? frame.test_loss.toFixed(3) : "–";
    ctx.fillText(`Epoch ${frame ? frame.epoch : "–"}   test loss ${loss}`, x0, 16);
    this.paintLoss(ctx, { x: x0 + side + 50, y: y0, w: width - side - x0 - 90, h: side });
  }

  paintLoss(ctx, box) {
    ctx.strokeStyle = "#888";
    ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.font = "24px system-ui, sans-serif";
    ctx.fillStyle = "#1b1b1b";
    ctx.fillText("loss (train solid, test dashed)", box.x + 10, box.y + 8);
    const losses = this.recording ? this.recording.losses : [];
    if (losses.length < 2) return;
    const e0 = losses[0][0];
    const e1 = Math.max(losses[losses.length - 1][0], e0 + 1);
    const finite = losses.flatMap((r) => [r[1], r[2]]).filter((v) => Number.isFinite(v));
    const top = Math.max(...finite, 1e-9);
    for (const [column, dash] of [[1, []], [2, [10, 8]]]) {
      ctx.setLineDash(dash);
      ctx.strokeStyle = column === 1 ? "#0877bd" : "#f59322";
      ctx.lineWidth = 3;
      ctx.beginPath();
      losses.forEach((row, k) => {
        const v = Number.isFinite(row[column]) ? row[column] : top;
        const px = box.x + ((row[0] - e0) / (e1 - e0)) * box.w;
        const py = box.y + box.h - (v / top) * (box.h - 50);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
  }
}
