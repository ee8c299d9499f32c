import type { MetaAnalysis } from '../analysis/meta-analysis.ts';
import { measureLabel, RATIO_MEASURES, type Measure } from '../effects/registry.ts';
import {
  alignTable,
  formatPercent,
  formatPValue,
  numberFormatter,
  stars,
  exclusionsAndWarnings,
  STUDY_ROWS_SHOWN,
} from '../core/format.ts';
import { EvsynthError } from '../core/errors.ts';
import { studyRowRange, type FitSummary } from './summary.ts';
import { parsePoolingMethod, poolingMethodLabel } from '../models/pooling-methods.ts';

/** Options of the text printouts: decimals (the CLI's --digits) and, for fits, the per-study table. */
export interface TextOptions {
  /** Decimals of estimates and statistics (default 4, as metafor prints). */
  readonly digits?: number;
  /** Print the per-study table (default true). */
  readonly studies?: boolean;
  /**
   * Study rows the per-study table lists at most (default {@link STUDY_ROWS_SHOWN}, 200); a line after the
   * table counts the others (a printout of 10⁶ studies is not a million lines).
   */
  readonly maxStudies?: number;
  /** Per-arm data columns (mean (SD) and N, or events/total), values indexed by input row. */
  readonly dataColumns?: readonly { readonly header: string; readonly values: readonly string[] }[];
}

/** The per-study table of `evsynth effects`. */
export function formatEffectsText(a: Pick<MetaAnalysis, 'effects'>, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const es = a.effects;
  const rows: string[][] = [['study', 'yi', 'vi', 'sei', 'note']];
  const corrected = new Set(es.corrected);
  const reasons = new Map(es.excluded.map((e) => [e.row, e.reason]));
  es.labels.forEach((label, i) => {
    const yi = es.yi[i] as number,
      vi = es.vi[i] as number;
    const note = reasons.get(i) ?? (corrected.has(i) ? `+${es.options.add} added to cells` : '');
    rows.push([label, f(yi), f(vi), f(Math.sqrt(vi)), note]);
  });
  return (
    [
      `Effect sizes (measure ${es.measure}; k = ${es.labels.length} rows, ${es.labels.length - es.excluded.length} estimable)`,
      '',
      ...alignTable(rows, [0, 4]),
    ].join('\n') + '\n'
  );
}

/** A metafor-like printout of a fit summary. */
export function formatFitText(s: FitSummary, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const out: string[] = [];
  const title =
    s.model === 'common'
      ? `Common-Effect Model (k = ${s.k})`
      : s.model === 'mantel-haenszel'
        ? `Common-Effect Model, Mantel-Haenszel method (k = ${s.k})`
        : s.model === 'peto'
          ? `Common-Effect Model, Peto's method (k = ${s.k})`
          : `Random-Effects Model (k = ${s.k}; tau^2 estimator: ${s.method === 'MH' || s.method === 'PETO' ? s.method : poolingMethodLabel(parsePoolingMethod(s.method))})`;
  out.push(`${title}; measure: ${s.measure}`, '');
  if (s.model === 'random') {
    out.push(
      `tau^2 (estimated amount of total heterogeneity): ${f(s.tau2)}${s.tau2SE !== null ? ` (SE = ${f(s.tau2SE)})` : ''}`,
    );
    out.push(`tau (square root of estimated tau^2 value):      ${f(s.tau)}`);
    out.push(`I^2 (total heterogeneity / total variability):   ${formatPercent(s.I2)}`);
    out.push(`H^2 (total variability / sampling variability):  ${f(s.H2, 2)}`);
    if (s.tau2CI) {
      out.push(
        `${s.level}% CI (Q-profile): tau^2 ${f(s.tau2CI[0])} to ${f(s.tau2CI[1])}; I^2 ${formatPercent(s.I2CI?.[0])} to ${formatPercent(s.I2CI?.[1])}; H^2 ${f(s.H2CI?.[0], 2)} to ${f(s.H2CI?.[1], 2)}`,
      );
    }
  } else {
    out.push(`I^2 (total heterogeneity / total variability):   ${formatPercent(s.I2)}`);
    out.push(`H^2 (total variability / sampling variability):  ${f(s.H2, 2)}`);
  }
  out.push('', 'Test for Heterogeneity:', `Q(df = ${s.QDf}) = ${f(s.Q)}, p-val ${pv(s.QPValue)}`);
  if (s.tests) {
    const names: Record<string, string> = {
      cochran: "Cochran's test",
      mantelHaenszel: 'Mantel-Haenszel test',
      breslowDay: 'Breslow-Day test',
      tarone: "Tarone's test",
    };
    for (const [k, t] of Object.entries(s.tests))
      out.push(`${names[k] ?? k}: X^2 = ${f(t.statistic)}, p-val ${pv(t.pValue)}`);
  }
  const statName = s.df === null ? 'zval' : 'tval';
  out.push(
    '',
    `Model Results${s.df !== null ? ` (Knapp-Hartung${s.test === 'adhoc' ? ', ad hoc' : ''}: t with df = ${s.df})` : ''}:`,
    '',
  );
  out.push(
    ...alignTable([
      ['estimate', 'se', statName, 'pval', 'ci.lb', 'ci.ub', ''],
      [
        f(s.estimate),
        f(s.se),
        f(s.statistic),
        formatPValue(s.pValue),
        f(s.ciLower),
        f(s.ciUpper),
        s.pValue === null ? '' : stars(s.pValue),
      ],
    ]),
  );
  if (s.exponentiated) {
    const e = s.exponentiated;
    out.push(
      '',
      `Exponentiated (${s.measure === 'PETO' ? 'OR' : s.measure}):`,
      ...alignTable([
        ['estimate', 'ci.lb', 'ci.ub', ...(e.piLower !== null ? ['pi.lb', 'pi.ub'] : [])],
        [f(e.estimate), f(e.ciLower), f(e.ciUpper), ...(e.piLower !== null ? [f(e.piLower), f(e.piUpper)] : [])],
      ]),
    );
  }
  if (s.piLower !== null)
    out.push(
      '',
      `${s.level}% prediction interval${s.piType === 'riley' ? ' (t, df = k - 2)' : ''}: ${f(s.piLower)} to ${f(s.piUpper)}`,
    );
  if (options.studies ?? true) {
    const maxStudies = options.maxStudies ?? STUDY_ROWS_SHOWN;
    if (!(Number.isInteger(maxStudies) && maxStudies >= 1))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `formatFitText: maxStudies is ${maxStudies}; expected a whole number ≥ 1`,
      );
    out.push('');
    for (const line of studyTable(s, f, options.dataColumns ?? [], maxStudies)) out.push(line);
  }
  for (const line of exclusionsAndWarnings(s.excluded, s.warnings)) out.push(line);
  return out.join('\n') + '\n';
}

/**
 * The per-study table of a fit, as meta's printout gives it: each study's effect with its CI on the
 * measure's scale (back-transformed for ratio measures), its weight, and the arms' data where present.
 */
function studyTable(
  s: FitSummary,
  f: (x: number | null | undefined, d?: number) => string,
  dataColumns: NonNullable<TextOptions['dataColumns']>,
  maxStudies: number,
): string[] {
  const measure = s.measure as Measure;
  const ratio = RATIO_MEASURES.has(measure);
  const t = ratio ? Math.exp : (x: number) => x;
  const name = measureLabel(measure);
  const { rows: shown, count } = studyRowRange(s, 0, maxStudies);
  const n = (x: number) => x.toLocaleString('en');
  const rows = [
    ['study', ...dataColumns.map((c) => c.header), name, `${s.level}% CI`, 'weight'],
    ...shown.map((st) => [
      st.label,
      ...dataColumns.map((c) => c.values[st.row - 1] ?? ''),
      f(t(st.yi)),
      `[${f(t(st.ciLower))}, ${f(t(st.ciUpper))}]`,
      formatPercent(st.weight, 1),
    ]),
  ];
  const hidden = count - shown.length;
  return [
    `Studies (${n(count)}${ratio ? `; ${name} back-transformed from the log scale` : ''}):`,
    ...alignTable(rows, [0]),
    ...(hidden > 0
      ? [
          `… ${n(hidden)} more stud${hidden === 1 ? 'y' : 'ies'} not listed (the table lists the first ${n(shown.length)} of ${n(count)}; the pooled results are of all ${n(count)}; --max-studies lists more, --format csv lists every study)`,
        ]
      : []),
  ];
}

function pv(p: number | null): string {
  const s = formatPValue(p);
  return s.startsWith('<') ? s : `= ${s}`;
}
