import type { SubgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { alignTable, formatNumber as f, formatPercent, formatPValue } from './format.ts';

/** A RevMan-like subgroup table: one line per level, the overall line, and the test for subgroup differences. */
export function formatSubgroupText(s: SubgroupAnalysis, title: string): string {
  const out: string[] = [title, ''];
  const rows: string[][] = [[s.column, 'k', 'estimate', 'ci.lb', 'ci.ub', 'pval', 'tau^2', 'I^2', 'Q', 'p(Q)']];
  for (const l of s.separate.levels) {
    const c = l.fit.coefficients[0];
    rows.push([l.level + (l.singleStudy ? ' (1 study)' : ''), String(l.fit.k), f(c?.estimate), f(c?.ciLower), f(c?.ciUpper), formatPValue(c?.pValue),
      l.singleStudy ? '—' : f(l.fit.tau2), l.singleStudy ? '—' : formatPercent(l.fit.I2, 0), l.singleStudy ? '—' : f(l.fit.QE, 2), l.singleStudy ? '—' : formatPValue(l.fit.QEp)]);
  }
  if (s.overall.model.kind === 'rma') {
    const o = s.overall.model.fit, c = o.coefficients[0];
    rows.push(['Overall', String(o.k), f(c?.estimate), f(c?.ciLower), f(c?.ciUpper), formatPValue(c?.pValue), f(o.tau2), formatPercent(o.I2, 0), f(o.QE, 2), formatPValue(o.QEp)]);
  }
  out.push(...alignTable(rows, [0]));
  const t = s.separate.test;
  if (t) out.push('', `Test for subgroup differences (separate τ² per subgroup, RevMan): Chi² = ${f(t.Q, 2)}, df = ${t.df}, p = ${formatPValue(t.pValue)}, I² = ${formatPercent(t.I2, 1)}`);
  if (s.warnings.length > 0) out.push('', ...s.warnings.map((w) => `Note: ${w}`));
  return out.join('\n') + '\n';
}
