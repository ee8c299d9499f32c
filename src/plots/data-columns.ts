import { measureSpec, type Measure } from '../effects/registry.ts';
import { hasColumn, stringColumn, type DataTable } from '../io/csv.ts';

/**
 * Per-arm data columns shown beside the study labels in forest plots and per-study tables, as printed in the
 * input: mean (SD) and N of each arm for two-group means, events/total of each arm for 2×2 tables (the total is
 * ai + bi when the table gives non-events). Values are indexed by input row.
 */
export function studyDataColumns(t: DataTable, measure: Measure): { header: string; values: string[] }[] {
  const cache = new Map<string, string[]>();
  // each column read once (a column read per row made this quadratic in k)
  const col = (n: string): string[] => {
    let c = cache.get(n);
    if (c === undefined) cache.set(n, (c = stringColumn(t, n)));
    return c;
  };
  const has = (...ns: string[]) => ns.every((n) => hasColumn(t, n));
  if (measureSpec(measure).family === 'two-group-means' && has('n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i')) {
    const msd = (m: string, s: string) => col(m).map((x, i) => `${x} (${col(s)[i]})`);
    return [
      { header: 'Exp. mean (SD)', values: msd('m1i', 'sd1i') },
      { header: 'N', values: col('n1i') },
      { header: 'Ctrl mean (SD)', values: msd('m2i', 'sd2i') },
      { header: 'N', values: col('n2i') },
    ];
  }
  if (measureSpec(measure).family === 'two-by-two' && has('ai', 'ci') && (has('bi', 'di') || has('n1i', 'n2i'))) {
    const total = (e: string, ne: string, n: string) =>
      has(n) ? col(n) : col(e).map((x, i) => String(Number(x) + Number(col(ne)[i])));
    const n1 = total('ai', 'bi', 'n1i'),
      n2 = total('ci', 'di', 'n2i');
    return [
      { header: 'Exp. events/total', values: col('ai').map((a, i) => `${a}/${n1[i]}`) },
      { header: 'Ctrl events/total', values: col('ci').map((c, i) => `${c}/${n2[i]}`) },
    ];
  }
  return [];
}
