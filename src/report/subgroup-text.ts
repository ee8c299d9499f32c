import type { SubgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import type { TextOptions } from './text.ts';
import { alignTable, exclusionsAndWarnings, numberFormatter, formatPercent, formatPValue } from '../core/format.ts';
import { finiteOrNull, summarize, type FitSummary } from './summary.ts';

export interface SubgroupSummary {
  readonly column: string;
  readonly overall: FitSummary;
  readonly subgroups: readonly {
    readonly level: string;
    readonly k: number;
    readonly singleStudy: boolean;
    readonly estimate: number | null;
    readonly se: number | null;
    readonly statistic: number | null;
    readonly pValue: number | null;
    readonly ciLower: number | null;
    readonly ciUpper: number | null;
    readonly piLower: number | null;
    readonly piUpper: number | null;
    readonly tau2: number | null;
    readonly I2: number | null;
    readonly H2: number | null;
    readonly Q: number | null;
    readonly QDf: number;
    readonly QPValue: number | null;
    /** Back-transformed estimate and intervals (ratio measures), as in the overall summary. */
    readonly exponentiated: FitSummary['exponentiated'];
    /** Weight of each study within its subgroup's own analysis, in percent. */
    readonly weights: readonly { readonly label: string; readonly weight: number }[];
  }[];
  /** RevMan's test on the separate fits (each subgroup with its own τ²). */
  readonly subgroupTest: {
    readonly convention: string;
    readonly Q: number;
    readonly df: number;
    readonly pValue: number;
    readonly I2: number;
  } | null;
  /** metafor's QM of mods = ~ factor(column), one common τ². */
  readonly moderatorTest: {
    readonly convention: string;
    readonly QM: number | null;
    readonly df: readonly [number, number | null];
    readonly pValue: number | null;
    readonly tau2: number;
    readonly R2: number | null;
  } | null;
  readonly groupMeansCommonTau2:
    | readonly {
        readonly level: string;
        readonly estimate: number;
        readonly se: number;
        readonly ciLower: number;
        readonly ciUpper: number;
      }[]
    | null;
  /** Rows without a subgroup value (1-based rows) and what was done with them. */
  readonly missingGroup: readonly { readonly label: string; readonly row: number; readonly reason: string }[];
  readonly missingRule: 'exclude' | 'overall-only';
  readonly warnings: readonly string[];
}

/** The JSON form of a subgroup analysis (`evsynth fit --by … --json`). Reads results only. */
export function summarizeSubgroups(s: SubgroupAnalysis): SubgroupSummary {
  const t = s.test;
  const c = s.common;
  const levels = c ? c.groupMeans.design.names.map((n) => n.replace(/^factor\([^)]*\)/, '')) : [];
  return {
    column: s.column,
    overall: summarize(s.overall),
    subgroups: s.levels.map((l) => {
      const f = summarize(l.analysis);
      const one = l.singleStudy;
      return {
        level: l.level,
        k: f.k,
        singleStudy: one,
        estimate: f.estimate,
        se: f.se,
        statistic: f.statistic,
        pValue: f.pValue,
        ciLower: f.ciLower,
        ciUpper: f.ciUpper,
        piLower: one ? null : f.piLower,
        piUpper: one ? null : f.piUpper,
        exponentiated: f.exponentiated,
        tau2: one ? null : f.tau2,
        I2: one ? null : f.I2,
        H2: one ? null : f.H2,
        Q: one ? null : f.Q,
        QDf: f.QDf ?? 0,
        QPValue: one ? null : f.QPValue,
        weights: f.studies.map((st) => ({ label: st.label, weight: st.weight })),
      };
    }),
    subgroupTest: t
      ? {
          convention: 'separate tau2 per subgroup (RevMan, meta): Q between subgroup estimates',
          Q: t.Q,
          df: t.df,
          pValue: t.pValue,
          I2: t.I2,
        }
      : null,
    moderatorTest: c
      ? {
          convention: 'common tau2 (metafor): QM of mods = ~ factor(group)',
          QM: finiteOrNull(c.moderatorModel.QM),
          df: c.moderatorModel.QMdf,
          pValue: finiteOrNull(c.moderatorModel.QMp),
          tau2: c.moderatorModel.tau2,
          R2: c.moderatorModel.R2,
        }
      : null,
    groupMeansCommonTau2: c
      ? c.groupMeans.coefficients.map((b, i) => ({
          level: levels[i] ?? b.name,
          estimate: b.estimate,
          se: b.se,
          ciLower: b.ciLower,
          ciUpper: b.ciUpper,
        }))
      : null,
    missingGroup: s.missingGroup.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
    missingRule: s.missingRule,
    warnings: s.warnings,
  };
}

/** A RevMan-like subgroup table: one line per level, the overall line, and both tests for subgroup differences. */
export function formatSubgroupText(s: SubgroupSummary, title: string, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const out: string[] = [title, ''];
  // ratio measures: the estimate and CI back-transformed (as RevMan prints them); the log scale is in --json
  const ratio = s.overall.exponentiated !== null;
  const est = (x: Pick<SubgroupSummary['overall'], 'estimate' | 'ciLower' | 'ciUpper' | 'exponentiated'>) =>
    ratio && x.exponentiated
      ? [f(x.exponentiated.estimate), f(x.exponentiated.ciLower), f(x.exponentiated.ciUpper)]
      : [f(x.estimate), f(x.ciLower), f(x.ciUpper)];
  const name = ratio ? (s.overall.measure === 'PETO' ? 'OR' : s.overall.measure) : 'estimate';
  const rows: string[][] = [[s.column, 'k', name, 'ci.lb', 'ci.ub', 'pval', 'tau^2', 'I^2', 'Q', 'p(Q)']];
  for (const l of s.subgroups) {
    rows.push([
      l.level + (l.singleStudy ? ' (1 study)' : ''),
      String(l.k),
      ...est(l),
      formatPValue(l.pValue),
      l.singleStudy ? '—' : f(l.tau2),
      l.singleStudy ? '—' : formatPercent(l.I2, 0),
      l.singleStudy ? '—' : f(l.Q, 2),
      l.singleStudy ? '—' : formatPValue(l.QPValue),
    ]);
  }
  const o = s.overall;
  rows.push([
    'Overall',
    String(o.k),
    ...est(o),
    formatPValue(o.pValue),
    f(o.tau2),
    formatPercent(o.I2, 0),
    f(o.Q, 2),
    formatPValue(o.QPValue),
  ]);
  out.push(...alignTable(rows, [0]), '', 'Test for subgroup differences:');
  const t = s.subgroupTest;
  if (t)
    out.push(
      `  separate tau^2 per subgroup (RevMan): Chi^2 = ${f(t.Q, 2)}, df = ${t.df}, p = ${formatPValue(t.pValue)}, I^2 = ${formatPercent(t.I2, 1)}`,
    );
  const m = s.moderatorTest;
  if (m) {
    const stat =
      m.df[1] === null ? `QM(df = ${m.df[0]}) = ${f(m.QM)}` : `F(df1 = ${m.df[0]}, df2 = ${m.df[1]}) = ${f(m.QM)}`;
    out.push(
      `  common tau^2 (metafor, mods = ~ factor(${s.column})): ${stat}, p = ${formatPValue(m.pValue)}; tau^2 = ${f(m.tau2)}, R^2 = ${formatPercent(m.R2)}`,
    );
  }
  if (!t && !m) out.push('  not available (a single subgroup)');
  if (ratio) out.push('', `${name} and its CI back-transformed from the log scale; the test is on the log scale.`);
  out.push(...exclusionsAndWarnings(s.overall.excluded, []));
  if (s.missingGroup.length > 0)
    out.push(
      '',
      `Rows without a value in '${s.column}' (${s.missingRule === 'exclude' ? 'left out' : 'in the overall analysis only'}):`,
      ...s.missingGroup.map((e) => `  ${e.label} (row ${e.row}): ${e.reason}`),
    );
  if (s.warnings.length > 0) out.push('', ...s.warnings.map((w) => `Note: ${w}`));
  return out.join('\n') + '\n';
}
