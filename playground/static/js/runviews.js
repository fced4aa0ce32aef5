/**
 * Wiring of the session's runs to the page (issue 9): the run list and timelines (`Runs`),
 * the scrubber, the compare sides, the charts' per-run traces and markers, run files and
 * the sessionStorage copy. main.js hands it the session's runs/timeline/snapshot messages
 * and every frame; it tells main.js which frames are the selected run's.
 */
import { isSessionSnapshot } from "./api.js";
import { CompareView } from "./compare.js";
import { OpenChoice } from "./openrun.js";
import { Runs } from "./runs.js";
import { RunStore, acceptDrops, downloadJson, readJsonFile } from "./runstore.js";
import { Timeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);

export class RunViews {
  /**
   * @param {object} session the api.js Session
   * @param {object} hooks selected(config) when another run got selected, tell(text),
   *   redraw() when the output switched between one view and the compare sides
   */
  constructor(session, hooks) {
    this.session = session;
    this.hooks = hooks;
    this.runs = new Runs();
    this.store = new RunStore();
    this.chooser = new OpenChoice();
    this.charts = null;
    this.maxRuns = 4;
    this.timeline = new Timeline(
      { root: $("timeline-bar"), range: $("timeline"), epoch: $("timeline-epoch"),
        rewind: $("rewind"), fork: $("fork") },
      {
        seek: (step) => session.seek(this.runs.selected, step),
        rewind: (step) => session.rewind(this.runs.selected, step),
        fork: (step) => this.fork(step),
      },
    );
    this.compare = new CompareView($("compare-view"), {
      select: (id) => {
        if (id !== this.runs.selected) session.select(id);
      },
      close: (id) => session.closeRun(id),
    });
    $("compare").addEventListener("click", () => this.fork(undefined));
    $("download-run").addEventListener("click", () => this.download());
    $("open-run").addEventListener("change", (e) => {
      const file = e.target.files[0];
      if (file) this.open(file);
      e.target.value = "";
    });
    acceptDrops(document.body, (file) => this.open(file));
    window.addEventListener("pagehide", () => this.store.save(session.lastSnapshot));
  }

  /** The page's charts and boundary exist (after the options arrived). */
  attach(charts, boundary, limits, network = null) {
    this.charts = charts;
    this.compare.template = boundary;
    if (network) this.compare.linkFilter = network.linkFilter;
    this.maxRuns = limits.max_runs || 4;
  }

  fork(step) {
    if (this.runs.list.length >= this.maxRuns) {
      this.hooks.tell(`At most ${this.maxRuns} runs at once: close one first.`);
      return;
    }
    this.session.fork(this.runs.selected, step);
  }

  /** What play/pause/step target: every run while comparing (they train in lockstep). */
  target() {
    return this.runs.comparing ? "all" : undefined;
  }

  onRuns(message) {
    const before = this.runs.selected;
    const wasComparing = this.runs.comparing;
    this.runs.update(message);
    const ids = this.runs.ids();
    const colors = Object.fromEntries(ids.map((id) => [id, this.runs.colorOf(id)]));
    if (this.charts) {
      this.charts.setRuns(ids, this.runs.comparing ? colors : {});
      // A closed parent leaves its forks to show the shared past's markers.
      for (const id of ids) {
        if (this.runs.timelines.has(id)) this.charts.setMarkers(this.markerEvents(id), id);
      }
    }
    this.compare.update(this.runs);
    $("output-panel").classList.toggle("comparing", this.runs.comparing);
    $("compare").disabled = ids.length >= this.maxRuns;
    if (wasComparing !== this.runs.comparing) this.hooks.redraw();
    if (this.runs.selected !== before) {
      this.timeline.reset();
      const known = this.runs.timelines.get(this.runs.selected);
      if (known) this.onTimeline(known);
      else this.session.requestTimeline(this.runs.selected);
      const run = this.runs.byId(this.runs.selected);
      if (run && run.config) this.hooks.selected(run.config);
    }
    // Histories of runs we have no timeline for yet (a restored session, a fork).
    for (const id of ids) if (!this.runs.timelines.has(id)) this.session.requestTimeline(id);
  }

  /** A run's accepted config: its diff line follows it. */
  onConfig(message) {
    const run = message.run ? this.runs.byId(message.run) : null;
    if (!run) return;
    run.config = message.config;
    if (this.runs.comparing) this.compare.update(this.runs);
  }

  onTimeline(message) {
    this.runs.setTimeline(message);
    if (this.charts) {
      this.charts.setHistory(message.run, message.history || {});
      this.charts.setMarkers(this.markerEvents(message.run), message.run);
    }
    if (message.run === this.runs.selected) this.timeline.setTimeline(message);
  }

  /**
   * A run's loss-chart markers: every run's show in compare, each in its colour. A fork
   * shares its parent's past, so while the parent is open its markers stand for it.
   */
  markerEvents(id) {
    const run = this.runs.byId(id);
    const timeline = this.runs.timelines.get(id);
    if (!run || !timeline) return [];
    const inherited = run.parent && this.runs.byId(run.parent) && run.forked_at !== null;
    return (timeline.events || []).filter((e) => e.kind !== "start"
      && !(inherited && e.step < run.forked_at));
  }

  onEvent(message) {
    // Paused: a good moment to keep the work (the answer lands in sessionStorage).
    if (message.event === "paused") this.session.requestSnapshot();
  }

  /** A session snapshot arrived (reconnect copy): keep it across reloads. */
  onSnapshot(snapshot) {
    this.store.save(snapshot);
  }

  /** On first load: restore the stored session if the address allows. True if sent. */
  restoreStored(urlConfig) {
    const snapshot = this.store.load(urlConfig);
    return snapshot !== null && this.session.restore(snapshot);
  }

  /** A refused stored snapshot is forgotten; true if that is what this error was. */
  restoreRefused(message, configured) {
    if (configured || message.request !== "restore") return false;
    this.store.forget();
    return true;
  }

  /** Route a frame: its compare side, the scrubber; true if the main views draw it. */
  frame(frame) {
    this.runs.noteFrame(frame);
    const selected = frame.run === this.runs.selected;
    if (this.compare.active) {
      this.compare.draw(frame);
      // The hidden single view keeps the points for when compare ends.
      if (selected && frame.arrays.points) this.compare.template.setPoints(frame);
    }
    if (!selected) return false;
    this.timeline.showFrame(frame);
    if (this.charts) this.charts.setCursor((frame.at ?? null) === null ? null : frame.epoch);
    return true;
  }

  async download() {
    const id = this.runs.selected;
    try {
      const { run, snapshot } = await this.session.runSnapshot(id);
      const info = this.runs.byId(run);
      downloadJson(snapshot, `run-${run}-step${info ? info.step : 0}.json`);
    } catch (error) {
      this.hooks.tell(`Could not download the run: ${error.message}`);
    }
  }

  /**
   * Open a run file: the user chooses to replace the selected run or to open it as a new
   * run (compare). A session file replaces every run.
   */
  async open(file) {
    let snapshot;
    try {
      snapshot = await readJsonFile(file);
    } catch (error) {
      this.hooks.tell(error.message);
      return;
    }
    if (isSessionSnapshot(snapshot)) {
      this.session.restore(snapshot);
      return;
    }
    const selected = this.runs.selected;
    const choice = await this.chooser.ask({ name: file.name, selected,
      canAdd: this.runs.list.length < this.maxRuns, maxRuns: this.maxRuns });
    if (choice === "new") this.session.restore(snapshot, { asNew: true });
    else if (choice === "replace") this.session.restore(snapshot, { run: selected });
  }
}
