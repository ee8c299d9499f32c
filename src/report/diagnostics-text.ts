import type { BiasResults, SensitivityResults } from '../analysis/diagnostics.ts';
import type { TextOptions } from './text.ts';
import { alignTable, numberFormatter, formatPercent, formatPValue } from '../core/format.ts';

/** Plain objects for --json (typed arrays become arrays in the JSON writer). */
export function sensitivityJson(s: SensitivityResults): Record<string, unknown> {
  return {
    labels: s.labels,
    leaveOneOut: s.leaveOneOut,
    cumulative: s.cumulative && { ...s.cumulative, order: s.cumulative.order.map((i) => s.labels[i]) },
    influence: s.influence,
    baujat: s.baujat,
    gosh: s.gosh && {
      subsets: s.gosh.result.estimate.length,
      exhaustive: s.gosh.result.exhaustive,
      seed: s.gosh.result.seed,
      summary: s.gosh.summary,
    },
    skipped: s.skipped,
  };
}

/** "Trim and fill: not applicable (needs k ≥ 3; the model has k = 2)", one line per skipped diagnostic. */
function skippedLines(skipped: readonly { readonly test: string; readonly reason: string }[]): string[] {
  return skipped.length === 0
    ? []
    : [...skipped.map((x) => `${x.test[0]?.toUpperCase() ?? ''}${x.test.slice(1)}: not applicable (${x.reason})`), ''];
}

export function biasJson(b: BiasResults): Record<string, unknown> {
  return {
    egger: b.egger && {
      model: b.egger.model,
      predictor: b.egger.predictor,
      statistic: b.egger.statistic,
      pValue: b.egger.pValue,
      df: b.egger.df,
      limit: b.egger.limit,
    },
    begg: b.begg,
    failsafe: b.failsafe,
    trimfill: b.trimfill && {
      estimator: b.trimfill.estimator,
      side: b.trimfill.side,
      k0: b.trimfill.k0,
      seK0: b.trimfill.seK0,
      pK0: b.trimfill.pK0,
      filledYi: b.trimfill.filledYi,
      filledVi: b.trimfill.filledVi,
      adjusted: b.trimfill.fit.coefficients[0],
      tau2: b.trimfill.fit.tau2,
    },
    skipped: b.skipped,
    warnings: b.warnings,
  };
}

export function formatSensitivityText(s: SensitivityResults, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const out: string[] = [];
  const L = s.labels;
  if (s.leaveOneOut) {
    const l = s.leaveOneOut;
    out.push(
      'Leave-one-out (model refitted without each study):',
      ...alignTable(
        [
          ['omitted', 'estimate', 'se', 'pval', 'ci.lb', 'ci.ub', 'Q', 'tau^2', 'I^2'],
          ...L.map((lab, i) => [
            lab,
            f(l.estimate[i]),
            f(l.se[i]),
            formatPValue(l.pValue[i]),
            f(l.ciLower[i]),
            f(l.ciUpper[i]),
            f(l.Q[i], 2),
            f(l.tau2[i]),
            formatPercent(l.I2[i], 1),
          ]),
        ],
        [0],
      ),
      '',
    );
  }
  if (s.cumulative) {
    const c = s.cumulative;
    out.push(
      `Cumulative meta-analysis (ordered by ${c.column ?? 'input order'}):`,
      ...alignTable(
        [
          ['adding', 'estimate', 'se', 'pval', 'ci.lb', 'ci.ub', 'tau^2', 'I^2'],
          ...c.order.map((idx, i) => [
            L[idx] ?? '',
            f(c.estimate[i]),
            f(c.se[i]),
            formatPValue(c.pValue[i]),
            f(c.ciLower[i]),
            f(c.ciUpper[i]),
            f(c.tau2[i]),
            formatPercent(c.I2[i], 1),
          ]),
        ],
        [0],
      ),
      '',
    );
  }
  if (s.influence) {
    const n = s.influence;
    // one DFBETAS column per coefficient, named as metafor's dfbs (intrcpt, ablat, …) where there are several
    const names = s.fit.coefficients.map((c) => c.name);
    const dfbetasHeader =
      n.dfbetas.length === 1 ? ['dfbetas'] : n.dfbetas.map((_, j) => `dfbetas.${names[j] ?? j + 1}`);
    out.push(
      'Influence diagnostics (* = influential: |DFFITS| > 3√(p/(k−p)), Cook > χ²ₚ median, hat > 3p/k or |DFBETAS| > 1):',
      ...alignTable(
        [
          [
            'study',
            'rstudent',
            'dffits',
            'cook.d',
            'cov.r',
            'tau2.del',
            'QE.del',
            'hat',
            'weight',
            ...dfbetasHeader,
            'inf',
          ],
          ...L.map((lab, i) => [
            lab,
            f(n.rstudent[i]),
            f(n.dffits[i]),
            f(n.cookD[i]),
            f(n.covRatio[i]),
            f(n.tau2Deleted[i]),
            f(n.QEDeleted[i], 2),
            f(n.hat[i]),
            formatPercent(n.weight[i], 1),
            ...n.dfbetas.map((d) => f(d[i])),
            n.influential[i] ? '*' : '',
          ]),
        ],
        [0],
      ),
      '',
    );
  }
  if (s.baujat) {
    const b = s.baujat;
    out.push(
      'Baujat coordinates (x: contribution to heterogeneity, y: influence on the result):',
      ...alignTable([['study', 'x', 'y'], ...L.map((lab, i) => [lab, f(b.x[i]), f(b.y[i])])], [0]),
      '',
    );
  }
  if (s.gosh) {
    const g = s.gosh.summary,
      r = s.gosh.result;
    const row = (name: string, x: typeof g.estimate, d = 4) => [
      name,
      f(x.min, d),
      f(x.q25, d),
      f(x.median, d),
      f(x.q75, d),
      f(x.max, d),
      f(x.mean, d),
    ];
    out.push(
      `GOSH: ${g.subsets} subsets (${r.exhaustive ? 'all non-empty subsets' : `random sample, seed ${r.seed}`}):`,
      ...alignTable(
        [
          ['', 'min', 'q25', 'median', 'q75', 'max', 'mean'],
          row('estimate', g.estimate),
          row('I^2 (%)', g.I2, 2),
          row('tau^2', g.tau2),
        ],
        [0],
      ),
      '',
    );
  }
  out.push(...skippedLines(s.skipped));
  return out.join('\n');
}

export function formatBiasText(b: BiasResults, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const out: string[] = [];
  if (b.egger) {
    const e = b.egger;
    const stat = e.df === null ? 'z' : `t(${e.df})`;
    out.push(
      `Regression test for funnel-plot asymmetry (${e.model === 'lm' ? "Egger's weighted regression" : 'mixed-effects meta-regression'}, predictor ${e.predictor}):`,
      `  ${stat} = ${f(e.statistic)}, p = ${formatPValue(e.pValue)}`,
      ...(e.fit.p === 2
        ? [
            `  limit estimate (as ${e.predictor} → 0): ${f(e.limit.estimate)} (CI ${f(e.limit.ciLower)} to ${f(e.limit.ciUpper)})`,
          ]
        : [`  model with moderators: ${e.fit.design.names.slice(0, -1).join(', ')} (as metafor regtest)`]),
      '',
    );
  }
  if (b.begg)
    out.push(
      `Rank correlation test (Begg & Mazumdar): Kendall's tau = ${f(b.begg.tau)}, p = ${formatPValue(b.begg.pValue)} (${b.begg.exact ? 'exact' : 'normal approximation'})`,
      '',
    );
  if (b.trimfill) {
    const t = b.trimfill,
      c = t.fit.coefficients[0];
    out.push(
      `Trim and fill (${t.estimator}): ${t.k0} stud${t.k0 === 1 ? 'y' : 'ies'} estimated missing on the ${t.side} side${t.seK0 !== null ? ` (SE ${f(t.seK0, 2)}${t.pK0 !== null ? `, p = ${formatPValue(t.pK0)}` : ''})` : ''}`,
      `  adjusted estimate: ${f(c?.estimate)} (CI ${f(c?.ciLower)} to ${f(c?.ciUpper)}), tau^2 = ${f(t.fit.tau2)}`,
      '',
    );
  }
  if (b.failsafe) {
    const s = b.failsafe;
    const detail =
      s.type === 'Orwin'
        ? `to reduce the mean effect ${f(s.meanEffect)} to ${f(s.target ?? (s.meanEffect ?? 0) / 2)}`
        : `to make the result non-significant at alpha = ${s.alpha}${s.pValue !== null ? ` (observed p = ${formatPValue(s.pValue)})` : ''}`;
    out.push(`Fail-safe N (${s.type}): ${s.fsn} null studies ${detail}`, '');
  }
  out.push(...skippedLines(b.skipped));
  if (b.warnings.length > 0) out.push(...b.warnings.map((w) => `Warning: ${w}`));
  return out.join('\n') + '\n';
}
