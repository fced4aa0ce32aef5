/**
 * Keeping the work: the session's last snapshot (every run) in sessionStorage, so a
 * reload or a server restart continues where it was; and runs as files (download one,
 * open one by button or by dropping it on the page).
 *
 * A shared link still reproduces its run from scratch: the stored snapshot is used only
 * when the address holds no config or the same config as when it was stored (a new tab
 * has its own, empty sessionStorage anyway).
 */
import { readUrl } from "./state.js";

const KEY = "nn-playground.session";

function sameConfig(a, b) {
  const norm = (c) => JSON.stringify(Object.keys(c).sort().map((k) => [k, c[k]]));
  return norm(a) === norm(b);
}

export class RunStore {
  constructor(storage = window.sessionStorage) {
    this.storage = storage;
  }

  /** Keep a session snapshot with the address's config it belongs to. */
  save(snapshot, search = location.search) {
    if (!snapshot) return;
    try {
      const entry = { snapshot, config: readUrl(search).config, savedAt: Date.now() };
      this.storage.setItem(KEY, JSON.stringify(entry));
      document.body.dataset.savedAt = String(entry.savedAt);
    } catch {
      // Storage full or disabled: the page still works, it just will not survive a reload.
    }
  }

  /** The stored snapshot if it may be used with this address's config, else null. */
  load(urlConfig) {
    let entry;
    try {
      entry = JSON.parse(this.storage.getItem(KEY) || "null");
    } catch {
      return null;
    }
    if (!entry || !entry.snapshot) return null;
    if (Object.keys(urlConfig).length > 0 && !sameConfig(entry.config || {}, urlConfig)) {
      return null;
    }
    return entry.snapshot;
  }

  forget() {
    try {
      this.storage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  }
}

/** Save `data` (JSON) as a file download. */
export function downloadJson(data, filename) {
  downloadBlob(new Blob([JSON.stringify(data)], { type: "application/json" }), filename);
}

/** Save a Blob as a file download (run files, exports). */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Read a dropped/opened file as JSON; rejects with a plain message. */
export async function readJsonFile(file) {
  const text = await file.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file.name} is not a run file (not JSON)`);
  }
}

/** Call `open(file)` for a .json file dropped anywhere on the page. */
export function acceptDrops(target, open) {
  const isFile = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
  target.addEventListener("dragover", (e) => {
    if (!isFile(e)) return;
    e.preventDefault();
    document.body.classList.add("dropping");
  });
  target.addEventListener("dragleave", () => document.body.classList.remove("dropping"));
  target.addEventListener("drop", (e) => {
    document.body.classList.remove("dropping");
    if (!isFile(e)) return;
    const file = e.dataTransfer.files[0];
    if (!file || !/\.json$/i.test(file.name)) return; // CSV drops belong to the data panel
    e.preventDefault();
    open(file);
  });
}
