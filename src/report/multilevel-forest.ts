/**
 * The rows of a forest plot of a dependent-effects analysis (`fit --random/--V/--robust`), read from its summary
 * (report/multilevel-text.ts): every row in the model with its own CI and its weight in the model (metafor's
 * weights, 100·diag(M⁻¹)/Σ), optionally grouped (e.g. the rows of each trial together), and the pooled effect with
 * its prediction interval for intercept-only models. Nothing here computes a statistic.
 */
import type { Measure } from '../effects/registry.ts';
import { formatNumber, formatPValue } from '../core/format.ts';
import type { MultilevelSummary } from './multilevel-text.ts';
import type { ForestGroup, ForestInput, ForestStudy, ForestSummary } from '../plots/forest-data.ts';

export interface MultilevelForestOptions {
  /** Group the rows by these values (indexed by input row, 0-based), e.g. the trial of each row. */
  readonly groupBy?: readonly string[];
  /** Extra data columns (values indexed by input row, 0-based). */
  readonly columns?: readonly { readonly header: string; readonly values: readonly string[] }[];
  readonly favours?: readonly [string, string];
  readonly title?: string;
  readonly digits?: number;
}

const pEq = (p: number | null) => {
  const s = formatPValue(p, 5);
  return s.startsWith('<') ? s : `= ${s}`;
};

/** The lines under the diamond: variance components, the Q test, the test of the effect and the robust result. */
function notes(s: MultilevelSummary): string[] {
  const comps = [...s.sigma2, ...s.tau2, ...s.rho, ...s.gamma2, ...s.phi]
    .map((c) => `${c.factor !== null ? `${c.name} (${c.factor})` : c.name} = ${formatNumber(c.estimate, 2)}`)
    .join('; ');
  const c = s.coefficients[0];
  const out = [
    `Heterogeneity: ${comps !== '' ? `${comps}; ` : ''}Q = ${formatNumber(s.QE, 2)}, df = ${s.QEdf} (P ${pEq(s.QEp)})`,
  ];
  if (c)
    out.push(
      `Test for overall effect: ${c.df === null ? 'Z' : `t(${formatNumber(c.df, Number.isInteger(c.df) ? 0 : 2)})`} = ${formatNumber(Math.abs(c.statistic), 2)} (P ${pEq(c.pValue)})`,
    );
  const r = s.robust?.coefficients[0];
  if (s.robust && r)
    out.push(
      `Cluster-robust (${s.robust.type}, ${s.robust.clusters} clusters of '${s.robust.cluster}'): ${s.level}% CI ${formatNumber(r.ciLower, 2)} to ${formatNumber(r.ciUpper, 2)}, t(${formatNumber(r.df, Number.isInteger(r.df) ? 0 : 2)}) = ${formatNumber(Math.abs(r.statistic), 2)} (P ${pEq(r.pValue)})`,
    );
  return out;
}

/** Forest rows of a dependent-effects analysis (see the module comment). */
export function forestFromMultilevel(s: MultilevelSummary, options: MultilevelForestOptions = {}): ForestInput {
  const study = (st: MultilevelSummary['studies'][number]): ForestStudy => ({
    label: st.label,
    est: st.yi,
    lo: st.ciLower,
    hi: st.ciUpper,
    weight: st.weight,
    columns: (options.columns ?? []).map((c) => c.values[st.row - 1] ?? ''),
  });
  let groups: ForestGroup[];
  if (options.groupBy) {
    const by = options.groupBy;
    const order: string[] = [];
    const members = new Map<string, ForestStudy[]>();
    for (const st of s.studies) {
      const g = by[st.row - 1] ?? '';
      if (!members.has(g)) {
        order.push(g);
        members.set(g, []);
      }
      members.get(g)?.push(study(st));
    }
    // a group title only over groups of several rows; consecutive single rows stay together untitled
    groups = [];
    for (const g of order) {
      const rows = members.get(g) ?? [];
      const last = groups[groups.length - 1];
      if (rows.length > 1) groups.push({ title: g, studies: rows, summary: null });
      else if (last && last.title === null)
        groups[groups.length - 1] = { ...last, studies: [...last.studies, ...rows] };
      else groups.push({ title: null, studies: rows, summary: null });
    }
  } else groups = [{ title: null, studies: s.studies.map(study), summary: null }];
  // the pooled effect: intercept-only models (one prediction, the mean effect)
  const intercept = s.mods === null && s.coefficients.length === 1 ? s.coefficients[0] : undefined;
  const pred = intercept && s.predictions.length === 1 ? s.predictions[0] : undefined;
  const overall: ForestSummary | null = intercept
    ? {
        label: `Total (${s.level}% CI)`,
        est: intercept.estimate,
        lo: intercept.ciLower,
        hi: intercept.ciUpper,
        piLo: pred?.piLower ?? null,
        piHi: pred?.piUpper ?? null,
        notes: notes(s),
        weight: 100,
      }
    : null;
  return {
    measure: s.measure as Measure,
    ratio: s.exponentiated,
    level: s.level,
    columnHeaders: (options.columns ?? []).map((c) => c.header),
    weightHeader: 'Weight',
    groups,
    overall,
    footer: [
      `${s.model === 'rma.mv' ? `Random effects: ${s.random.join(', ')}. ` : ''}Sampling errors: ${s.V.description}.`,
      ...(overall ? [] : [`Moderators: ${s.mods ?? ''} (no pooled effect is drawn for a meta-regression)`]),
    ],
    favours: options.favours ?? ['Favours experimental', 'Favours control'],
    title: options.title ?? null,
    digits: options.digits ?? 2,
  };
}
