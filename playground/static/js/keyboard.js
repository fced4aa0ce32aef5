/**
 * Keyboard shortcuts and the help overlay: space play/pause, → or s step, r reset,
 * f full-screen output, ? help. Keys are ignored while typing in a form field, so a
 * teacher can type "0.3" into the learning rate without resetting the run.
 */

function typing(target) {
  const tag = target && target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable;
}

export function bindKeyboard(actions) {
  const help = document.getElementById("help");
  const openHelp = () => {
    help.hidden = false;
    document.getElementById("help-close").focus();
  };
  const closeHelp = () => {
    help.hidden = true;
    if (help.contains(document.activeElement)) document.activeElement.blur(); // keys work again
  };
  document.getElementById("help-button").addEventListener("click", openHelp);
  document.getElementById("help-close").addEventListener("click", closeHelp);
  help.addEventListener("click", (e) => {
    if (e.target === help) closeHelp();
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      if (!help.hidden) closeHelp();
      else actions.exitFullscreen();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === " " && e.target.tagName === "BUTTON") return; // let the button click
    const handled = {
      " ": actions.togglePlay,
      ArrowRight: actions.step,
      s: actions.step,
      r: actions.reset,
      f: actions.toggleFullscreen,
      "?": () => (help.hidden ? openHelp() : closeHelp()),
    }[e.key];
    if (handled) {
      e.preventDefault();
      handled();
    }
  });
}
