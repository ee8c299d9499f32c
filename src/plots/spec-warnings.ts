/** What a plot spec tells its reader beyond the picture (for the CLI's stderr and the renderer). */
import type { TopLevelSpec } from 'vega-lite';

/**
 * The warnings a spec carries in `usermeta.warnings`: a forest plot that does not draw every study says
 * so there (and in a note on the plot itself).
 */
export function specWarnings(spec: TopLevelSpec): readonly string[] {
  const w = (spec.usermeta as { warnings?: unknown } | undefined)?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string') : [];
}
