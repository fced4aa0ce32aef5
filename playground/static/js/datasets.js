/**
 * The dataset picker: one button per dataset in /api/options (multi-class and regression
 * included), each with a small preview of its points drawn on a canvas, as in TF
 * Playground. The points come from the server (POST /api/dataset); the page never
 * generates data itself.
 */
import { fetchDatasetPoints } from "./api.js";
import { CLASS_COLORS, divergingColor, rgb } from "./colors.js";
import { entries, humanize } from "./options.js";

const PREVIEW_POINTS = 200;
const SIZE = 64;

export class DatasetPicker {
  constructor(root, options, onPick) {
    this.root = root;
    this.options = options;
    this.onPick = onPick;
    this.buttons = new Map();
  }

  build() {
    for (const ds of entries(this.options.datasets)) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "dataset";
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", "false");
      b.setAttribute("data-testid", `dataset-${ds.name}`);
      const name = humanize(ds.name);
      b.setAttribute("aria-label", `${name} (${ds.problem || "data"})`);
      b.title = ds.description || name;
      const canvas = document.createElement("canvas");
      canvas.width = SIZE;
      canvas.height = SIZE;
      canvas.setAttribute("aria-hidden", "true");
      const caption = document.createElement("span");
      caption.textContent = name;
      b.append(canvas, caption);
      b.addEventListener("click", () => this.onPick(ds.name));
      this.root.append(b);
      this.buttons.set(ds.name, { button: b, canvas, info: ds });
    }
    this.root.setAttribute("data-testid", "control-dataset");
  }

  /** Mark the current dataset. */
  select(name) {
    for (const [key, { button }] of this.buttons) {
      button.setAttribute("aria-checked", String(key === name));
    }
  }

  /** Fetch and draw every preview (best effort: a failed preview leaves a blank tile). */
  async loadPreviews(nClasses = 3) {
    const jobs = [...this.buttons.entries()].map(async ([name, { canvas, info }]) => {
      if (name === "custom") return;
      try {
        const config = { dataset: name, n_points: PREVIEW_POINTS, seed: 1, n_classes: nClasses };
        const result = await fetchDatasetPoints(config);
        drawPreview(canvas, pointsOf(result), info.problem || result.problem);
      } catch {
        // A preview is decoration; the picker works without it.
      }
    });
    await Promise.all(jobs);
  }
}

/** The dataset answer ({train, test}: {points, labels}) as rows [x1, x2, label]. */
function pointsOf(result) {
  const rows = [];
  for (const part of [result.train, result.test]) {
    if (!part) continue;
    part.points.forEach((p, k) => rows.push([p[0], p[1], part.labels[k]]));
  }
  return rows;
}

function drawPreview(canvas, rows, problem) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, SIZE, SIZE);
  for (const [x1, x2, label] of rows) {
    const px = ((x1 + 6) / 12) * SIZE;
    const py = SIZE - ((x2 + 6) / 12) * SIZE;
    ctx.fillStyle =
      problem === "regression"
        ? rgb(divergingColor(label))
        : CLASS_COLORS[Math.round(label) % CLASS_COLORS.length];
    ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
  }
}
