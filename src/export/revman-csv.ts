/**
 * An evsynth analysis in RevMan 5's "export data" CSV layout (the layout `evsynth import` and R's
 * `meta::read.rm5` read): a comparison row, the outcome row with its settings and pooled results (estimate,
 * CI, Q, P(Q), I²(Q), τ², Z, P(Z), the test for subgroup differences, df), a row per subgroup with its
 * total, and a row per study with its inputs, effect, SE, CI and weight (percent of the whole analysis).
 * Ratio measures are written exponentiated, as RevMan writes them; numbers with 8 decimals, trailing zeros
 * dropped. Consumes results only (no statistics here). Pure.
 */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from '../effects/options.ts';
import { RATIO_MEASURES } from '../effects/registry.ts';
import { formatCsv } from '../io/csv.ts';
import { REVMAN_CSV_COLUMNS } from '../evidence/import/revman-csv.ts';
import { pooledEstimate, studyWeights, type MetaAnalysis } from '../analysis/meta-analysis.ts';
import type { SubgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { isCommonEffect } from '../models/rma.ts';

export interface RevmanCsvInput {
  readonly comparison: string;
  readonly outcome: string;
  readonly columns: EffectColumns;
  readonly labels: readonly string[];
  readonly years?: readonly string[];
  readonly overall: MetaAnalysis;
  readonly subgroups?: SubgroupAnalysis;
  /** Group labels (experimental, control) and graph labels (left, right). */
  readonly groupLabels?: readonly [string, string];
  readonly graphLabels?: readonly [string, string];
}

/** 8 decimals, trailing zeros dropped, as RevMan 5 writes numbers. */
const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toFixed(8))));

function dataType(a: MetaAnalysis): 'DIC' | 'CON' | 'IV' {
  const m = a.measure;
  if (m === 'OR' || m === 'RR' || m === 'RD' || m === 'PETO') return 'DIC';
  if (m === 'MD' || m === 'SMD') return 'CON';
  if (m === 'GEN') return 'IV';
  throw new EvsynthError(
    'INVALID_ARGUMENT',
    `export revman-csv: measure ${m} has no RevMan 5 data type (expected OR, RR, RD, PETO, MD, SMD or generic input)`,
  );
}

/** The CSV text. */
export function revmanCsv(input: RevmanCsvInput): string {
  const a = input.overall;
  const type = dataType(a);
  const ratio = RATIO_MEASURES.has(a.measure) || a.measure === 'PETO';
  const show = (x: number) => (ratio ? Math.exp(x) : x);
  const random = a.model.kind === 'rma' && !isCommonEffect(a.model.fit.method);
  const method = a.method === 'MH' ? 'MH' : a.method === 'PETO' ? 'PETO' : 'IV';
  const measure = a.measure === 'PETO' ? 'PETO_OR' : a.measure === 'GEN' ? '' : a.measure;
  const col = new Map(REVMAN_CSV_COLUMNS.map((c, j) => [c, j]));
  const row = (cells: Partial<Record<(typeof REVMAN_CSV_COLUMNS)[number], string>>) => {
    const r: string[] = REVMAN_CSV_COLUMNS.map(() => '');
    for (const [k, v] of Object.entries(cells)) r[col.get(k as (typeof REVMAN_CSV_COLUMNS)[number]) as number] = v;
    return r;
  };
  const c = input.columns;
  const get = (name: keyof EffectColumns, i: number) => c[name]?.[i];
  const n1 = (i: number) => get('n1i', i) ?? (get('ai', i) ?? NaN) + (get('bi', i) ?? NaN);
  const n2 = (i: number) => get('n2i', i) ?? (get('ci', i) ?? NaN) + (get('di', i) ?? NaN);
  const totals = (rows: readonly number[]) => {
    const sum = (f: (i: number) => number | undefined) => rows.reduce((s, i) => s + (f(i) ?? NaN), 0);
    if (type === 'DIC')
      return {
        'Events 1': fmt(sum((i) => get('ai', i))),
        'Total 1': fmt(sum(n1)),
        'Events 2': fmt(sum((i) => get('ci', i))),
        'Total 2': fmt(sum(n2)),
      };
    if (type === 'CON') return { 'Total 1': fmt(sum((i) => get('n1i', i))), 'Total 2': fmt(sum((i) => get('n2i', i))) };
    return {};
  };
  const pooled = (m: MetaAnalysis) => {
    const e = pooledEstimate(m);
    const f = m.model.fit;
    return {
      'Effect Estimate': fmt(show(e.estimate)),
      'CI Start': fmt(show(e.ciLower)),
      'CI End': fmt(show(e.ciUpper)),
      Q: fmt(f.QE),
      'P(Q)': fmt(f.QEp),
      'I²(Q)': fmt(Number.isFinite(f.I2) ? f.I2 : 0),
      'Tau²': fmt(m.model.kind === 'rma' ? m.model.fit.tau2 : 0),
      Z: fmt(Math.abs(e.statistic)),
      'P(Z)': fmt(e.pValue),
      df: fmt(f.QEdf),
    };
  };
  const usedRows = (m: MetaAnalysis) => m.studies.rows.map((r) => m.inputRows[r] as number);
  const out: string[][] = [
    row({ 'Comparison Number': '1', 'Outcome Number': '0', 'Subgroup Number': '0', Name: input.comparison }),
  ];
  const test = input.subgroups?.test;
  out.push(
    row({
      'Comparison Number': '1',
      'Outcome Number': '1',
      'Subgroup Number': '0',
      Name: input.outcome,
      'Data Type': type,
      'Statistical Method': method,
      'Effect Measure': measure,
      'Analysis Model': random ? 'Random' : 'Fixed',
      ...totals(usedRows(a)),
      ...pooled(a),
      Weight: '100',
      Qint: fmt(test?.Q ?? 0),
      'P(Qint)': fmt(test?.pValue ?? 0),
      'I²(Qint)': fmt(test?.I2 ?? 0),
      'Group Label 1': input.groupLabels?.[0] ?? 'Experimental',
      'Group Label 2': input.groupLabels?.[1] ?? 'Control',
      'Left Graph Label': input.graphLabels?.[0] ?? 'Favours experimental',
      'Right Graph Label': input.graphLabels?.[1] ?? 'Favours control',
    }),
  );
  const weights = studyWeights(a);
  const position = new Map(usedRows(a).map((r, j) => [r, j]));
  const studyRow = (i: number, sub: string) => {
    const j = position.get(i);
    const yi = j === undefined ? undefined : (a.studies.yi[j] as number);
    const se = j === undefined ? undefined : Math.sqrt(a.studies.vi[j] as number);
    const inputs =
      type === 'DIC'
        ? { 'Events 1': fmt(get('ai', i)), 'Total 1': fmt(n1(i)), 'Events 2': fmt(get('ci', i)), 'Total 2': fmt(n2(i)) }
        : type === 'CON'
          ? {
              'Mean 1': fmt(get('m1i', i)),
              'SD 1': fmt(get('sd1i', i)),
              'Total 1': fmt(get('n1i', i)),
              'Mean 2': fmt(get('m2i', i)),
              'SD 2': fmt(get('sd2i', i)),
              'Total 2': fmt(get('n2i', i)),
            }
          : {};
    return row({
      'Comparison Number': '1',
      'Outcome Number': '1',
      'Subgroup Number': sub,
      Name: input.labels[i] ?? `Study ${i + 1}`,
      ...inputs,
      ...(yi !== undefined && se !== undefined && j !== undefined
        ? {
            'Effect Estimate': fmt(show(yi)),
            SE: fmt(se),
            'CI Start': fmt(show(a.studyCI.lower[j] as number)),
            'CI End': fmt(show(a.studyCI.upper[j] as number)),
            Weight: fmt(weights[j]),
          }
        : {}),
      'Year of study': input.years?.[i] ?? '',
      'User defined order': String(i + 1),
    });
  };
  const s = input.subgroups;
  if (s === undefined) for (let i = 0; i < input.labels.length; i++) out.push(studyRow(i, '0'));
  else
    s.levels.forEach((l, g) => {
      out.push(
        row({
          'Comparison Number': '1',
          'Outcome Number': '1',
          'Subgroup Number': String(g + 1),
          Name: l.level,
          ...totals(usedRows(l.analysis)),
          ...pooled(l.analysis),
          Weight: fmt(l.indices.reduce((sum, j) => sum + (weights[j] as number), 0)),
        }),
      );
      for (const i of l.analysis.inputRows) out.push(studyRow(i, String(g + 1)));
    });
  return formatCsv(REVMAN_CSV_COLUMNS, out);
}
