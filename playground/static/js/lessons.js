/**
 * Lessons (issue 13): the picker, the scene bar and its goal, scene changes by button or
 * key (→ / ← / PageDown / PageUp, what presentation clickers send), and `?lesson=NAME
 * &scene=N` in the address. A lesson and its scenes come from the server already
 * validated, with their text rendered as escaped HTML (playground/lessons/markdown.py) and
 * their goal parsed into a small tree, which `goalMet` walks: nothing is evaluated.
 *
 * The page's state stays main.js's: a scene reaches it only through `hooks` (configure
 * from a partial config, set the hide flags, play, pause) and the session's commands.
 */
import { fetchLesson, fetchLessons, fetchSceneRun } from "./api.js";

const $ = (id) => document.getElementById(id);
const OPS = {
  "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
  "==": (a, b) => a === b, "!=": (a, b) => a !== b,
};

/** Walk a goal tree (see playground/lessons/goals.py) over a frame's metrics. */
export function goalMet(goal, metrics, diverged) {
  if (!goal) return false;
  if (goal.and) return goal.and.every((g) => goalMet(g, metrics, diverged));
  if (goal.or) return goal.or.some((g) => goalMet(g, metrics, diverged));
  if (goal.not) return !goalMet(goal.not, metrics, diverged);
  if (goal.flag) return Boolean(diverged);
  const value = metrics[goal.metric];
  if (value === null || value === undefined || !Number.isFinite(value)) return false;
  return OPS[goal.op](value, goal.value);
}

function typing(target) {
  const tag = target && target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable;
}

export class Lessons {
  /**
   * @param {object} session the api.js Session
   * @param {object} hooks configure(partial), setHide(flags), play(all), pause(), runs(),
   *   tell(text), changed() (the lesson or scene changed: rewrite the address)
   */
  constructor(session, hooks) {
    this.session = session;
    this.hooks = hooks;
    this.lesson = null;
    this.index = 0;
    this.met = false;
    this.listeners = [];
    const params = new URLSearchParams(location.search);
    this.wanted = params.get("lesson");
    this.wantedScene = Number.parseInt(params.get("scene") || "1", 10) || 1;
    $("lessons-button").addEventListener("click", () => this.openPicker());
    $("lesson-picker-close").addEventListener("click", () => this.closePicker());
    $("lesson-picker").addEventListener("click", (e) => {
      if (e.target === $("lesson-picker")) this.closePicker();
    });
    $("scene-prev").addEventListener("click", () => this.go(-1));
    $("scene-next").addEventListener("click", () => this.go(1));
    $("scene-solution").addEventListener("click", () => this.showSolution());
    $("lesson-exit").addEventListener("click", () => this.exit());
    // Capture phase: scene keys win over the page's own → (step) while a lesson runs.
    window.addEventListener("keydown", (e) => this.onKey(e), true);
  }

  get active() {
    return this.lesson !== null;
  }

  get scene() {
    return this.lesson ? this.lesson.scenes[this.index] : null;
  }

  /** Called when the session is ready: true if the address asked for a lesson. */
  startFromUrl() {
    if (!this.wanted) return false;
    this.start(this.wanted, this.wantedScene);
    return true;
  }

  /** Subscribe to scene changes (the presenter's notes window follows them). */
  onChange(listener) {
    this.listeners.push(listener);
  }

  async start(name, scene = 1) {
    try {
      this.lesson = await fetchLesson(name);
    } catch (error) {
      this.hooks.tell(`Lesson ${name}: ${error.message}`);
      this.lesson = null;
      this.hooks.configure({});
      return;
    }
    const n = this.lesson.scenes.length;
    this.show(Math.min(Math.max(scene, 1), n) - 1);
  }

  go(delta) {
    if (!this.lesson) return;
    const next = this.index + delta;
    if (next < 0 || next >= this.lesson.scenes.length) return;
    this.show(next);
  }

  /** Show scene `index` (0-based) and put the run in its starting state. */
  async show(index) {
    this.index = index;
    this.met = false;
    const scene = this.scene;
    this.render();
    this.hooks.pause();
    this.hooks.setHide(scene.hide);
    const runs = this.hooks.runs();
    const first = runs.list[0] ? runs.list[0].id : "A";
    for (const run of runs.list.slice(1)) this.session.closeRun(run.id);
    if (runs.selected !== first) this.session.select(first);
    if (scene.has_run) {
      try {
        this.session.restore(await fetchSceneRun(this.lesson.name, index + 1), { run: first });
      } catch (error) {
        this.hooks.tell(`This scene's saved run could not be loaded: ${error.message}`);
      }
    } else {
      this.hooks.configure(scene.config);
    }
    this.session.set({ stop_epoch: scene.stop_epoch || 0 });
    if (scene.compare) {
      // Fork A into B (B is selected), change B, then edit A again: A | B side by side.
      this.session.fork(first);
      this.session.set(scene.compare);
      this.session.select(first);
    }
    if (scene.autoplay) this.hooks.play(Boolean(scene.compare)); // A | B: both runs
    this.hooks.changed();
    for (const listener of this.listeners) listener(this.state());
  }

  /** Apply the scene's solution (what the student was meant to find) to the selected run. */
  showSolution() {
    const scene = this.scene;
    if (!scene || !scene.solution || Object.keys(scene.solution).length === 0) return;
    this.session.set(scene.solution);
  }

  exit() {
    this.lesson = null;
    $("lesson-bar").hidden = true;
    document.body.classList.remove("in-lesson");
    this.hooks.setHide([]);
    this.hooks.changed();
    for (const listener of this.listeners) listener(this.state());
  }

  /** What the notes window and the address need to know. */
  state() {
    if (!this.lesson) return { lesson: null };
    const scene = this.scene;
    const next = this.lesson.scenes[this.index + 1];
    return {
      lesson: this.lesson.name,
      title: this.lesson.title,
      scene: this.index + 1,
      scenes: this.lesson.scenes.length,
      sceneTitle: scene.title,
      html: scene.html,
      notesHtml: scene.notes_html,
      goal: scene.goal,
      met: this.met,
      next: next ? next.title : null,
    };
  }

  /** The address's lesson part: `lesson=NAME&scene=N` (empty without a lesson). */
  query() {
    if (!this.lesson) return "";
    return `lesson=${encodeURIComponent(this.lesson.name)}&scene=${this.index + 1}`;
  }

  render() {
    const scene = this.scene;
    document.body.classList.add("in-lesson");
    $("lesson-bar").hidden = false;
    $("lesson-title").textContent = this.lesson.title;
    $("lesson-step").textContent = `${this.index + 1} / ${this.lesson.scenes.length}`;
    $("scene-title").textContent = scene.title;
    // Server-rendered from the safe Markdown subset: escaped text and fixed tags only.
    $("scene-text").innerHTML = this.index === 0 && this.lesson.intro_html
      ? this.lesson.intro_html + scene.html : scene.html;
    $("scene-prev").disabled = this.index === 0;
    $("scene-next").disabled = this.index === this.lesson.scenes.length - 1;
    const hasSolution = scene.solution && Object.keys(scene.solution).length > 0;
    $("scene-solution").hidden = !hasSolution;
    this.showGoal();
  }

  showGoal() {
    const scene = this.scene;
    const el = $("scene-goal");
    el.hidden = !scene.goal;
    el.dataset.met = String(this.met);
    el.textContent = `${this.met ? "✓" : "○"} Goal: ${scene.goal}`;
  }

  /** Every live frame of every run: is the goal met now? (Once met, it stays met.) */
  onFrame(frame) {
    const scene = this.scene;
    if (!scene || !scene.goal_tree || this.met || frame.at !== null) return;
    if (goalMet(scene.goal_tree, frame, frame.diverged)) {
      this.met = true;
      this.showGoal();
      for (const listener of this.listeners) listener(this.state());
    }
  }

  onKey(e) {
    if (e.key === "Escape" && !$("lesson-picker").hidden) {
      this.closePicker();
      return;
    }
    if (!this.lesson || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const delta = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[e.key];
    if (!delta) return;
    e.preventDefault();
    e.stopPropagation();
    this.go(delta);
  }

  async openPicker() {
    const list = $("lesson-list");
    list.replaceChildren();
    $("lesson-picker").hidden = false;
    let lessons = [];
    try {
      lessons = await fetchLessons();
    } catch (error) {
      list.textContent = `Lessons could not be loaded: ${error.message}`;
      return;
    }
    for (const entry of lessons) {
      const item = document.createElement("li");
      if (entry.valid) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.lesson = entry.name;
        button.setAttribute("data-testid", `lesson-${entry.name}`);
        button.textContent = entry.title;
        button.addEventListener("click", () => {
          this.closePicker();
          this.start(entry.name, 1);
        });
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = `${entry.scenes} scenes${entry.source === "local" ? " · yours" : ""}`;
        item.append(button, meta);
      } else {
        item.className = "invalid";
        item.textContent = `${entry.name}: not valid: ${entry.problems.join("; ")}`;
      }
      list.append(item);
    }
    const first = list.querySelector("button");
    if (first) first.focus();
  }

  closePicker() {
    $("lesson-picker").hidden = true;
  }
}
