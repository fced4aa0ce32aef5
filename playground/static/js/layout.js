/**
 * `hide=` flags and the page's columns. A flag hides every element with that data-panel
 * (a panel, a button, a control by field name). Hiding can empty a column of the
 * workspace (left: Data and Training; network; output): the workspace then says which
 * columns are left in `data-columns`, and layout.css gives those columns the width, so
 * e.g. `hide=data,training` widens the network instead of squeezing it into the left
 * column's track.
 */

/** Hide what `hide` names and re-balance the columns. */
export function applyHide(hide, root = document) {
  for (const flag of hide) {
    for (const el of root.querySelectorAll(`[data-panel="${CSS.escape(flag)}"]`)) {
      el.classList.add("hidden-by-url");
    }
  }
  const workspace = root.getElementById("workspace");
  if (!workspace) return;
  const shown = [];
  for (const column of workspace.querySelectorAll(":scope > [data-column]")) {
    const panels = column.matches(".panel") ? [column] : [...column.querySelectorAll(".panel")];
    const empty = panels.every((p) => p.classList.contains("hidden-by-url"));
    column.classList.toggle("hidden-by-url", empty);
    if (!empty) shown.push(column.dataset.column);
  }
  workspace.dataset.columns = shown.join(" ");
}
