/**
 * The speaker-notes window (/notes): follows the presenting page's lesson and scene over a
 * BroadcastChannel (same browser, no server state), shows the scene's notes, its goal and
 * what comes next, and sends "next" / "previous" back (buttons, → / ←, PageDown / PageUp).
 */
import { CHANNEL } from "./presenter.js";

const $ = (id) => document.getElementById(id);
const channel = new BroadcastChannel(CHANNEL);
const started = Date.now();

function show(state) {
  document.body.dataset.scene = state && state.lesson ? String(state.scene) : "";
  if (!state || !state.lesson) {
    $("notes-where").textContent = "No lesson on the presenting page.";
    $("notes-title").textContent = "";
    $("notes-body").replaceChildren();
    $("notes-goal").textContent = "";
    $("notes-next").textContent = "";
    return;
  }
  $("notes-where").textContent = `${state.title} · scene ${state.scene} / ${state.scenes}`;
  $("notes-title").textContent = state.sceneTitle;
  // Escaped HTML rendered by the server from the lesson's safe Markdown subset.
  $("notes-body").innerHTML = state.notesHtml || "<p>(no notes for this scene)</p>";
  $("notes-goal").textContent = state.goal ? `${state.met ? "✓" : "○"} Goal: ${state.goal}` : "";
  $("notes-next").textContent = state.next ? `Next: ${state.next}` : "Last scene.";
}

channel.onmessage = (e) => {
  if (e.data && e.data.type === "scene") show(e.data.state);
};
const go = (delta) => channel.postMessage({ type: "go", delta });
$("notes-prev").addEventListener("click", () => go(-1));
$("notes-next-button").addEventListener("click", () => go(1));
document.addEventListener("keydown", (e) => {
  const delta = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[e.key];
  if (delta) {
    e.preventDefault();
    go(delta);
  }
});
setInterval(() => {
  const s = Math.floor((Date.now() - started) / 1000);
  $("notes-clock").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}, 1000);
show(null);
channel.postMessage({ type: "hello" }); // the page answers with its current scene
