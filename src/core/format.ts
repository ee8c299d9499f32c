/**
 * The one number formatter shared by text, JSON-to-text and plots, so that a number
 * printed anywhere reads the same. R-like: fixed decimals, p-values as "<.0001".
 */

/**
 * x with `digits` decimals; "NA" for NaN/null, "Inf"/"-Inf" for infinities; from 1e21 on (where fixed
 * notation ends) in scientific notation with `digits` decimals, as R prints 1.9600e+150.
 */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'NA';
  if (x === Number.POSITIVE_INFINITY) return 'Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Math.abs(x) >= 1e21) return x.toExponential(digits);
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A number formatter with `digits` decimals by default (the CLI's --digits); an explicit second argument wins. */
export function numberFormatter(digits = 4): (x: number | null | undefined, d?: number) => string {
  return (x, d = digits) => formatNumber(x, d);
}

/**
 * Study rows a per-study listing shows by default (the text printout's table, the forest plot): the others
 * are counted in a note, and the pooled results are always of every study.
 */
export const STUDY_ROWS_SHOWN = 200;

/** A p-value as metafor prints it: "<.0001" below 1e-4, else 4 decimals without the leading 0. */
export function formatPValue(p: number | null | undefined, digits = 4): string {
  if (p === null || p === undefined || Number.isNaN(p)) return 'NA';
  const lim = 10 ** -digits;
  if (p < lim) return `<${lim.toFixed(digits).slice(1)}`;
  return p.toFixed(digits).replace(/^0\./, '.');
}

/** A percentage, e.g. "92.22%". */
export function formatPercent(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'NA' : `${x.toFixed(digits)}%`;
}

/** Significance stars as R prints them. */
export function stars(p: number): string {
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : p < 0.1 ? '.' : '';
}

/** Right-aligned columns of a small text table. */
export function alignTable(rows: readonly (readonly string[])[], leftAlign: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, j) => {
      widths[j] = Math.max(widths[j] ?? 0, c.length);
    });
  return rows.map((r) =>
    r
      .map((c, j) => (leftAlign.includes(j) ? c.padEnd(widths[j] ?? 0) : c.padStart(widths[j] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The closing lines of a printout: the rows left out with their reasons, then the warnings (each block after a blank line). */
export function exclusionsAndWarnings(
  excluded: readonly { readonly label: string; readonly row: number; readonly reason: string }[],
  warnings: readonly string[],
  noun = 'studies',
): string[] {
  const out: string[] = [];
  if (excluded.length > 0)
    out.push(
      '',
      `Excluded ${noun} (${excluded.length}):`,
      ...excluded.map((e) => `  ${e.label} (row ${e.row}): ${e.reason}`),
    );
  if (warnings.length > 0) out.push('', ...warnings.map((w) => `Warning: ${w}`));
  return out;
}
