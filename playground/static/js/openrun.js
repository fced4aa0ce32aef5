/**
 * "Open run…": a run file can replace the selected run or open as a new run beside it
 * (compare it with what is on screen: a student's hand-in against the teacher's run, a
 * prepared state against a fresh one). This small dialog asks which; it knows nothing of
 * the session, it only answers.
 */

export class OpenChoice {
  constructor(parent = document.body) {
    this.parent = parent;
    this.el = null;
  }

  /**
   * Ask how to open `name`. Resolves to "replace", "new" or null (cancelled).
   * @param {object} args name, selected (run id), canAdd, maxRuns
   */
  ask({ name, selected, canAdd, maxRuns }) {
    this.close();
    return new Promise((resolve) => {
      const el = document.createElement("div");
      el.className = "overlay open-choice";
      el.setAttribute("role", "dialog");
      el.setAttribute("aria-modal", "true");
      el.setAttribute("aria-labelledby", "open-choice-title");
      el.setAttribute("data-testid", "open-choice");
      const box = document.createElement("div");
      box.className = "overlay-box";
      const title = document.createElement("h2");
      title.id = "open-choice-title";
      title.textContent = `Open ${name}`;
      const note = document.createElement("p");
      note.textContent = canAdd
        ? `Replace run ${selected} with it, or open it as a new run beside the others.`
        : `Replace run ${selected} with it (at most ${maxRuns} runs at once: close one to `
          + "open it as a new run).";
      const done = (choice) => {
        this.close();
        resolve(choice);
      };
      const replace = button(`Replace run ${selected}`, "open-replace", () => done("replace"));
      const asNew = button("Open as a new run", "open-new", () => done("new"));
      asNew.disabled = !canAdd;
      const cancel = button("Cancel", "open-cancel", () => done(null));
      const row = document.createElement("div");
      row.className = "open-choice-buttons";
      row.append(replace, asNew, cancel);
      box.append(title, note, row);
      el.append(box);
      el.addEventListener("keydown", (e) => {
        e.stopPropagation(); // the page's shortcuts (r = reset, space = play) wait
        if (e.key === "Escape") done(null);
      });
      el.addEventListener("click", (e) => {
        if (e.target === el) done(null);
      });
      this.parent.append(el);
      this.el = el;
      (canAdd ? asNew : replace).focus();
    });
  }

  close() {
    if (this.el) this.el.remove();
    this.el = null;
  }
}

function button(text, testid, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("data-testid", testid);
  b.addEventListener("click", onClick);
  return b;
}
