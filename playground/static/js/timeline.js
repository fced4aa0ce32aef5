/**
 * The timeline scrubber under the charts: a range over the selected run's steps
 * (first_step .. its current step), labelled with the epoch shown. Dragging asks the
 * server for that past moment (`seek`, at most one in flight: the newest position waits
 * for the answer, older ones are skipped), so the boundary, the network and the metrics
 * show it; the run pauses. Releasing at the right end goes back to live. "Continue from
 * here" rewinds the run to the moment shown, "fork from here" starts a new run from it.
 */

export class Timeline {
  /**
   * @param {object} els {range, epoch, rewind, fork, root}
   * @param {object} actions seek(step|null), rewind(step), fork(step)
   */
  constructor(els, actions) {
    this.els = els;
    this.actions = actions;
    this.first = 0;
    this.last = 0;
    this.history = { step: [], epoch: [] };
    this.lastEpoch = 0; // the epoch at `last`
    this.shownAt = null; // the past step on screen, null = live
    this.inFlight = false;
    this.queued = undefined; // newest position waiting for the answer to the last seek
    this.dragging = false;
    els.range.addEventListener("input", () => this.moved());
    els.range.addEventListener("change", () => this.released());
    els.range.addEventListener("pointerdown", () => {
      this.dragging = true;
    });
    els.rewind.addEventListener("click", () => {
      if (this.shownAt !== null) this.actions.rewind(this.shownAt);
    });
    els.fork.addEventListener("click", () => this.actions.fork(this.shownAt ?? this.last));
    this.render();
  }

  /** A `timeline` message of the selected run: its range of steps and history. */
  setTimeline(message) {
    this.first = message.first_step || 0;
    this.last = Math.max(message.step || 0, this.first);
    this.lastEpoch = message.epoch || 0;
    this.history = message.history || { step: [], epoch: [] };
    this.render();
  }

  /** Another run got selected: forget the old one's position. */
  reset() {
    this.shownAt = null;
    this.inFlight = false;
    this.queued = undefined;
    this.first = 0;
    this.last = 0;
    this.lastEpoch = 0;
    this.history = { step: [], epoch: [] };
    this.render();
  }

  /** A drawn frame of the selected run: a live one moves the end, a past one answers a seek. */
  showFrame(frame) {
    if (frame.at === null) {
      this.shownAt = null;
      this.last = Math.max(frame.step, this.first);
      this.lastEpoch = frame.epoch;
    } else {
      this.shownAt = frame.at;
    }
    this.shownEpoch = frame.epoch;
    if (this.inFlight) {
      this.inFlight = false;
      if (this.queued !== undefined) {
        const next = this.queued;
        this.queued = undefined;
        if (next !== this.shownAt) this.send(next);
      }
    }
    this.render();
  }

  moved() {
    this.dragging = true;
    const v = Number(this.els.range.value);
    this.els.epoch.textContent = String(this.epochAt(v));
    const target = v >= this.last ? null : v;
    if (this.inFlight) this.queued = target;
    else this.send(target);
  }

  released() {
    this.dragging = false;
    const v = Number(this.els.range.value);
    if (v >= this.last) {
      if (this.inFlight) this.queued = null;
      else if (this.shownAt !== null) this.send(null);
    }
  }

  send(step) {
    this.inFlight = true;
    if (!this.actions.seek(step)) this.inFlight = false;
  }

  /**
   * The epoch at `step` while dragging, from the run's history when it lists steps, else
   * in proportion to the live step and epoch (steps per epoch are fixed unless the batch
   * size or the data changed); the frame that answers the seek says it exactly.
   */
  epochAt(step) {
    const { step: steps, epoch } = this.history;
    if (steps && steps.length) {
      let best = 0;
      for (let k = 0; k < steps.length; k++) {
        if (steps[k] <= step) best = epoch[k];
        else break;
      }
      return best;
    }
    return this.last > 0 ? Math.floor((step * this.lastEpoch) / this.last) : 0;
  }

  render() {
    const { range, epoch, rewind, root } = this.els;
    range.min = String(this.first);
    range.max = String(Math.max(this.last, this.first));
    if (!this.dragging) range.value = String(this.shownAt ?? this.last);
    const past = this.shownAt !== null;
    if (!this.dragging && this.shownEpoch !== undefined) epoch.textContent = String(this.shownEpoch);
    range.setAttribute("aria-valuetext",
      `epoch ${epoch.textContent}${past ? " (a past moment)" : " (live)"}`);
    rewind.disabled = !past;
    root.classList.toggle("in-past", past);
    root.dataset.at = past ? String(this.shownAt) : "";
  }
}
