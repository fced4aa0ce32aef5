/**
 * Presenter mode (issue 13): `?present=1` or the `p` key. A projector layout (the lesson
 * text in a wide column, the network and the boundary large, Plotly's labels enlarged,
 * body text at least 20 px at 1280x720 and 1920x1080; teach.css), a high-contrast option
 * (`contrast=1`), and speaker notes in a second window (`/notes`) kept in step through a
 * BroadcastChannel: no server state, and it works offline. The notes window can move the
 * scenes too, so a speaker may drive the talk from the laptop screen.
 */

import { NOTES_PAGE } from "./api.js";

export const CHANNEL = "nn-playground-presenter";

export class Presenter {
  /** @param {Lessons} lessons the page's lessons; @param {object} hooks changed() */
  constructor(lessons, hooks) {
    this.lessons = lessons;
    this.hooks = hooks;
    const params = new URLSearchParams(location.search);
    this.on = false;
    this.contrast = false;
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
    if (this.channel) this.channel.onmessage = (e) => this.onMessage(e.data);
    lessons.onChange(() => this.broadcast());
    document.getElementById("present").addEventListener("click", () => this.toggle());
    document.getElementById("notes-window").addEventListener("click", () => this.openNotes());
    document.getElementById("contrast").addEventListener("click", () => this.setContrast(!this.contrast));
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
      if (e.key === "p") {
        e.preventDefault();
        this.toggle();
      }
    });
    this.toggle(params.get("present") === "1", false);
    this.setContrast(params.get("contrast") === "1", false);
  }

  toggle(force = null, announce = true) {
    this.on = force === null ? !this.on : Boolean(force);
    document.body.classList.toggle("presenting", this.on);
    document.documentElement.classList.toggle("presenting", this.on);
    const button = document.getElementById("present");
    button.setAttribute("aria-pressed", String(this.on));
    window.dispatchEvent(new Event("resize")); // Plotly and the diagram follow the new layout
    if (announce) this.hooks.changed();
  }

  setContrast(on, announce = true) {
    this.contrast = Boolean(on);
    document.body.classList.toggle("high-contrast", this.contrast);
    document.getElementById("contrast").setAttribute("aria-pressed", String(this.contrast));
    if (announce) this.hooks.changed();
  }

  /** The address's presenter part (`present=1&contrast=1`). */
  query() {
    return [this.on ? "present=1" : "", this.contrast ? "contrast=1" : ""]
      .filter(Boolean).join("&");
  }

  openNotes() {
    const win = window.open(NOTES_PAGE, "nn-playground-notes", "width=900,height=700");
    if (!win) this.hooks.tell("The browser blocked the notes window: allow pop-ups for this page.");
    return win;
  }

  broadcast() {
    if (this.channel) this.channel.postMessage({ type: "scene", state: this.lessons.state() });
  }

  onMessage(message) {
    if (!message || typeof message !== "object") return;
    if (message.type === "hello") this.broadcast();
    if (message.type === "go" && (message.delta === 1 || message.delta === -1)) {
      this.lessons.go(message.delta);
    }
  }
}
