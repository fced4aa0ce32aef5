/**
 * Geometry of the network diagram: node size, column positions, and how wide each layer's
 * head (± buttons, "N neurons", activation select) may be so that neighbouring heads
 * never overlap (issue 10: at 6+ layers they did). Pure functions, no DOM.
 */

export const HEAD = 78; // px above the columns for the layer heads (full diagram)
export const FOOT = 26; // px below the columns for the link-threshold control
const MAX_NODE = 44;
const MIN_NODE = 10;
const COMPACT_MAX_NODE = 22;
const COMPACT_MIN_NODE = 1; // 32 neurons in a 50 px side still fit
/** Below this column spacing the heads go narrow: count only, small buttons, caption moves. */
export const NARROW_SPACING = 100;

/**
 * Place `columns` (node counts per column, features first) in a `width` x `height` box.
 * Returns the node size, the vertical gap, each column's x, the spacing between columns,
 * whether the heads must be narrow, and the y of the k-th node of a column.
 */
export function diagramLayout(width, height, columns, { compact = false } = {}) {
  const head = compact ? 2 : HEAD;
  const foot = compact ? 2 : FOOT;
  const inner = Math.max(height - head - foot, 20);
  const maxCount = Math.max(...columns, 1);
  const [lo, hi] = compact ? [COMPACT_MIN_NODE, COMPACT_MAX_NODE] : [MIN_NODE, MAX_NODE];
  const node = Math.max(lo, Math.min(hi, Math.floor(inner / (maxCount * 1.25))));
  const gap = Math.max(0, Math.min(node * 0.6, (inner - maxCount * node) / Math.max(maxCount, 1)));
  const x0 = compact ? 4 : 70; // room for the feature labels on the left
  const x1 = width - node - (compact ? 4 : 20);
  const colX = columns.map((_, c) => x0 + ((x1 - x0) * c) / Math.max(columns.length - 1, 1));
  const spacing = columns.length > 1 ? (x1 - x0) / (columns.length - 1) : x1 - x0;
  return {
    node,
    gap,
    colX,
    spacing,
    head,
    narrow: spacing < NARROW_SPACING,
    // Each layer's head is centred on its column and at most this wide.
    headWidth: Math.max(Math.min(spacing - 6, 112), 24),
    nodeY: (k) => head + k * (node + gap) + (compact ? 0 : 4),
  };
}
