/**
 * The JSON summary (`evsynth fit|regress --random/--V/--robust --json`, documented in docs/cli.md) and the
 * metafor-like printout of an analysis of dependent effect sizes. Reads results only.
 */
import type { MultilevelAnalysis } from '../analysis/multilevel.ts';
import { RATIO_MEASURES } from '../effects/registry.ts';
import type { ComponentKind } from '../models/mv/rma-mv.ts';
import {
  alignTable,
  numberFormatter,
  formatPercent,
  formatPValue,
  stars,
  exclusionsAndWarnings,
} from '../core/format.ts';
import type { ExclusionSummary, StudySummary } from './summary.ts';
import type { TextOptions } from './text.ts';
import { studyIntervals } from '../inference/study-intervals.ts';
import { finiteOrNull } from './summary.ts';

export interface ComponentSummary {
  readonly name: string;
  readonly estimate: number;
  readonly sqrt: number | null;
  readonly fixed: boolean;
  /** σ²: the grouping and its number of levels. */
  readonly factor: string | null;
  readonly nLevels: number | null;
  /** τ²/γ² per inner level: the level and its number of estimates. */
  readonly innerLevel: string | null;
  readonly kLevel: number | null;
  /** UN correlations: the two inner levels and the number of outer levels with both. */
  readonly pair: readonly [string, string] | null;
  readonly nPair: number | null;
  /** Profile-likelihood CI (null when fixed or not computed). */
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
}

export interface CoefficientSummary {
  readonly name: string;
  readonly estimate: number;
  readonly se: number;
  readonly statistic: number;
  readonly df: number | null;
  readonly pValue: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

export interface MultilevelSummary {
  readonly model: 'rma.mv' | 'rma.uni';
  readonly k: number;
  readonly measure: string;
  readonly method: string;
  readonly test: string;
  readonly dfs: string | null;
  readonly level: number;
  readonly random: readonly string[];
  readonly struct: readonly {
    readonly role: string;
    readonly struct: string;
    readonly inner: string;
    readonly outer: string;
    readonly innerLevels: readonly string[];
    readonly nOuter: number;
  }[];
  readonly mods: string | null;
  readonly V: {
    readonly description: string;
    readonly covariances: number;
    readonly sharedArms: readonly {
      readonly id: string;
      readonly rows: readonly number[];
      readonly n: string;
      readonly armN: readonly number[];
    }[];
  };
  readonly sigma2: readonly ComponentSummary[];
  readonly tau2: readonly ComponentSummary[];
  readonly rho: readonly ComponentSummary[];
  readonly gamma2: readonly ComponentSummary[];
  readonly phi: readonly ComponentSummary[];
  readonly coefficients: readonly CoefficientSummary[];
  readonly QE: number | null;
  readonly QEdf: number;
  readonly QEp: number | null;
  readonly QM: number | null;
  readonly QMdf: readonly [number, number | null];
  readonly QMp: number | null;
  readonly logLik: number;
  readonly deviance: number;
  readonly AIC: number;
  readonly BIC: number;
  readonly AICc: number;
  readonly I2: { readonly total: number; readonly components: readonly number[] } | null;
  readonly predictions: readonly {
    readonly at: readonly number[] | null;
    readonly tau2Level: string | null;
    readonly gamma2Level: string | null;
    readonly pred: number;
    readonly se: number;
    readonly ciLower: number;
    readonly ciUpper: number;
    readonly piLower: number | null;
    readonly piUpper: number | null;
  }[];
  readonly exponentiated: boolean;
  readonly robust: {
    readonly type: string;
    readonly cluster: string;
    readonly clusters: number;
    readonly clusterSizes: {
      readonly min: number;
      readonly max: number;
      readonly mean: number;
      readonly median: number;
    };
    readonly coefficients: readonly CoefficientSummary[];
    readonly QM: number | null;
    readonly QMdf: readonly [number, number];
    readonly QMp: number | null;
    readonly btt: readonly number[];
  } | null;
  readonly iterations: number;
  readonly converged: boolean;
  readonly studies: readonly StudySummary[];
  readonly excluded: readonly ExclusionSummary[];
  readonly warnings: readonly string[];
}

/** The JSON form of a multilevel analysis. */
export function summarizeMultilevel(a: MultilevelAnalysis): MultilevelSummary {
  const m = a.model;
  const ci = (kind: ComponentKind, index: number) => a.profile.find((p) => p.kind === kind && p.index === index);
  const comps = (kind: ComponentKind): ComponentSummary[] =>
    m.kind === 'rma.mv'
      ? m.fit.components
          .filter((c) => c.kind === kind)
          .map((c) => {
            const iv = ci(kind, c.index);
            return {
              name: c.name,
              estimate: c.estimate,
              sqrt: kind === 'rho' || kind === 'phi' ? null : Math.sqrt(c.estimate),
              fixed: c.fixed,
              factor: c.factor ?? null,
              nLevels: c.nLevels ?? null,
              innerLevel: c.innerLevel ?? null,
              kLevel: c.kLevel ?? null,
              pair: c.pair ?? null,
              nPair: c.nPair ?? null,
              ciLower: iv ? iv.lower : null,
              ciUpper: iv ? iv.upper : null,
            };
          })
      : [];
  const coef = (
    c: {
      name: string;
      estimate: number;
      se: number;
      statistic: number;
      pValue: number;
      ciLower: number;
      ciUpper: number;
      df?: number | null;
    },
    df: number | null,
  ): CoefficientSummary => ({
    name: c.name,
    estimate: c.estimate,
    se: c.se,
    statistic: c.statistic,
    df: c.df ?? df,
    pValue: c.pValue,
    ciLower: c.ciLower,
    ciUpper: c.ciUpper,
  });
  const fit = m.fit;
  const rowCi = studyIntervals(fit.yi, a.V.diag, fit.level);
  const uni = m.kind === 'rma.uni' ? m.fit : null;
  const mv = m.kind === 'rma.mv' ? m.fit : null;
  const fs = mv ? mv.fitstats : (uni as NonNullable<typeof uni>).fitstats[uni?.method === 'REML' ? 'REML' : 'ML'];
  return {
    model: m.kind,
    k: fit.k,
    measure: a.measure,
    method: fit.method,
    test: fit.test,
    dfs: mv ? mv.dfs : null,
    level: fit.level,
    random: a.random,
    struct: mv
      ? mv.structs.map((s) => ({
          role: s.role,
          struct: s.struct,
          inner: s.inner,
          outer: s.outer,
          innerLevels: s.innerLevels,
          nOuter: s.nOuter,
        }))
      : [],
    mods: a.formula?.text ?? null,
    V: {
      description: a.vDescription,
      covariances: a.V.pairs.length,
      sharedArms: a.sharedArms.map((g) => ({ ...g, rows: g.rows.map((r) => r + 1) })),
    },
    sigma2: comps('sigma2'),
    tau2: uni
      ? [
          {
            name: 'tau^2',
            estimate: uni.tau2,
            sqrt: uni.tau,
            fixed: false,
            factor: null,
            nLevels: null,
            innerLevel: null,
            kLevel: null,
            pair: null,
            nPair: null,
            ciLower: null,
            ciUpper: null,
          },
        ]
      : comps('tau2'),
    rho: comps('rho'),
    gamma2: comps('gamma2'),
    phi: comps('phi'),
    coefficients: fit.coefficients.map((c) => coef(c, uni?.ddf ?? null)),
    QE: finiteOrNull(fit.QE),
    QEdf: fit.QEdf,
    QEp: finiteOrNull(fit.QEp),
    QM: finiteOrNull(fit.QM),
    QMdf: fit.QMdf,
    QMp: finiteOrNull(fit.QMp),
    logLik: fs.ll,
    deviance: fs.dev,
    AIC: fs.AIC,
    BIC: fs.BIC,
    AICc: fs.AICc,
    I2: mv ? mv.I2 : uni ? { total: uni.I2, components: [] } : null,
    predictions: a.predictions.map(({ at, prediction: p }) => ({
      at,
      tau2Level: p.tau2Level,
      gamma2Level: p.gamma2Level,
      pred: p.pred,
      se: p.se,
      ciLower: p.ciLower,
      ciUpper: p.ciUpper,
      piLower: p.piLower,
      piUpper: p.piUpper,
    })),
    exponentiated: RATIO_MEASURES.has(a.measure),
    robust: a.robust
      ? {
          type: a.robust.type,
          cluster: a.robust.cluster,
          clusters: a.robust.clusters,
          clusterSizes: a.robust.clusterSizes,
          coefficients: a.robust.coefficients.map((c) => coef(c, c.df)),
          QM: finiteOrNull(a.robust.QM),
          QMdf: a.robust.QMdf,
          QMp: finiteOrNull(a.robust.QMp),
          btt: a.robust.btt.map((b) => b + 1),
        }
      : null,
    iterations: fit.iterations,
    converged: fit.converged,
    studies: a.labels.map((label, i) => ({
      label,
      row: (a.rows[i] as number) + 1,
      yi: fit.yi[i] as number,
      vi: a.V.diag[i] as number,
      sei: Math.sqrt(a.V.diag[i] as number),
      ciLower: rowCi.lower[i] as number,
      ciUpper: rowCi.upper[i] as number,
      weight: fit.weights[i] as number,
    })),
    excluded: a.excluded.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
    warnings: a.warnings,
  };
}

const pv = (p: number | null): string => {
  const s = formatPValue(p);
  return s.startsWith('<') ? s : `= ${s}`;
};

/**
 * metafor's print.rma.mv layout (and print.rma.uni for fits without random terms), then CIs, predictions, robust
 * results; `options.digits` sets the decimals (the CLI's --digits).
 */
export function formatMultilevelText(s: MultilevelSummary, options: Pick<TextOptions, 'digits'> = {}): string {
  const f = numberFormatter(options.digits);
  const out: string[] = [];
  const mods = s.coefficients.length > 1 || s.mods !== null;
  if (s.model === 'rma.mv') {
    out.push(`Multivariate Meta-Analysis Model (k = ${s.k}; method: ${s.method}); measure: ${s.measure}`, '');
    out.push(
      alignTable([
        ['logLik', 'Deviance', 'AIC', 'BIC', 'AICc'],
        [f(s.logLik), f(s.deviance), f(s.AIC), f(s.BIC), f(s.AICc)],
      ]).join('\n'),
      '',
    );
    out.push(`Random effects: ${s.random.join(', ')}`);
    out.push(`Sampling errors: ${s.V.description}`, '');
    out.push('Variance Components:', '');
    if (s.sigma2.length > 0)
      out.push(
        ...alignTable(
          [
            ['', 'estim', 'sqrt', 'nlvls', 'fixed', 'factor'],
            ...s.sigma2.map((c) => [
              c.name,
              f(c.estimate),
              f(c.sqrt),
              String(c.nLevels ?? ''),
              c.fixed ? 'yes' : 'no',
              c.factor ?? '',
            ]),
          ],
          [0],
        ),
        '',
      );
    for (const st of s.struct) {
      const [vk, ck] = st.role === 'tau2' ? (['tau2', 'rho'] as const) : (['gamma2', 'phi'] as const);
      const vars = s[vk],
        cors = s[ck];
      out.push(
        `outer factor: ${st.outer} (nlvls = ${st.nOuter})`,
        `inner factor: ${st.inner} (nlvls = ${st.innerLevels.length})`,
        '',
      );
      const perLevel = vars.length > 1;
      const rows: string[][] = [
        perLevel ? ['', 'estim', 'sqrt', 'k.lvl', 'fixed', 'level'] : ['', 'estim', 'sqrt', 'fixed'],
      ];
      for (const c of vars)
        rows.push(
          perLevel
            ? [c.name, f(c.estimate), f(c.sqrt), String(c.kLevel ?? ''), c.fixed ? 'yes' : 'no', c.innerLevel ?? '']
            : [c.name, f(c.estimate), f(c.sqrt), c.fixed ? 'yes' : 'no'],
        );
      if (st.struct !== 'UN')
        for (const c of cors)
          rows.push(
            perLevel
              ? [c.name, f(c.estimate), '', '', c.fixed ? 'yes' : 'no', '']
              : [c.name, f(c.estimate), '', c.fixed ? 'yes' : 'no'],
          );
      out.push(...alignTable(rows, [0]), '');
      if (st.struct === 'UN' && cors.length > 0) {
        // metafor's matrix: correlations below the diagonal, the number of outer levels with both above
        const L = st.innerLevels;
        const at = (g: number, h: number) =>
          cors.find((c) => c.pair?.[0] === L[Math.max(g, h)] && c.pair?.[1] === L[Math.min(g, h)]);
        const tbl: string[][] = [['', ...L.map((l) => `${ck}.${l}`), ...L]];
        L.forEach((lg, g) => {
          const cells = L.map((_, h) => (h === g ? '1' : h < g ? f(at(g, h)?.estimate) : ''));
          const counts = L.map((_, h) =>
            h === g ? '-' : h > g ? String(at(g, h)?.nPair ?? '') : at(g, h)?.fixed ? 'yes' : 'no',
          );
          tbl.push([lg, ...cells, ...counts]);
        });
        out.push(...alignTable(tbl, [0]), '');
      }
    }
  } else {
    out.push(
      `${s.method === 'EE' || s.method === 'FE' ? 'Common-Effect' : mods ? 'Mixed-Effects' : 'Random-Effects'} Model (k = ${s.k}; tau^2 estimator: ${s.method}); measure: ${s.measure}`,
      '',
    );
    const t = s.tau2[0];
    if (t)
      out.push(
        `tau^2 (estimated amount of ${mods ? 'residual' : 'total'} heterogeneity): ${f(t.estimate)}`,
        `tau (square root of estimated tau^2 value): ${f(t.sqrt)}`,
      );
    if (s.I2) out.push(`I^2: ${formatPercent(s.I2.total)}`);
    out.push('');
  }
  out.push(
    mods ? 'Test for Residual Heterogeneity:' : 'Test for Heterogeneity:',
    `${mods ? 'QE' : 'Q'}(df = ${s.QEdf}) = ${f(s.QE)}, p-val ${pv(s.QEp)}`,
    '',
  );
  if (mods) {
    const stat =
      s.QMdf[1] === null
        ? `QM(df = ${s.QMdf[0]}) = ${f(s.QM)}`
        : `F(df1 = ${s.QMdf[0]}, df2 = ${s.QMdf[1]}) = ${f(s.QM)}`;
    out.push(
      `Test of Moderators (coefficient${s.QMdf[0] > 1 ? 's' : ''} ${bttText(s)}):`,
      `${stat}, p-val ${pv(s.QMp)}`,
      '',
    );
  }
  out.push('Model Results:', '', ...coefTable(f, s.coefficients, mods, s.test !== 'z'));
  if (s.model === 'rma.mv' && s.I2)
    out.push(
      '',
      `Multilevel I^2: ${formatPercent(s.I2.total)} of the total variance is heterogeneity (${s.sigma2.map((c, i) => `${c.factor}: ${formatPercent(s.I2?.components[i])}`).join('; ')})`,
    );
  const cis = [...s.sigma2, ...s.tau2, ...s.rho, ...s.gamma2, ...s.phi].filter((c) => c.ciLower !== null);
  if (cis.length > 0)
    out.push(
      '',
      `${s.level}% profile-likelihood CIs of the variance components:`,
      ...alignTable(
        [
          ['', 'estimate', 'ci.lb', 'ci.ub', 'sqrt', 'ci.lb', 'ci.ub'],
          ...cis.map((c) =>
            c.sqrt === null
              ? [c.name, f(c.estimate), f(c.ciLower), f(c.ciUpper), '', '', '']
              : [
                  c.name,
                  f(c.estimate),
                  f(c.ciLower),
                  f(c.ciUpper),
                  f(c.sqrt),
                  f(Math.sqrt(c.ciLower ?? Number.NaN)),
                  f(Math.sqrt(c.ciUpper ?? Number.NaN)),
                ],
          ),
        ],
        [0],
      ),
    );
  if (s.predictions.length > 0) {
    const lv = s.predictions.some((p) => p.tau2Level !== null || p.gamma2Level !== null);
    out.push(
      '',
      'Predicted values:',
      ...alignTable(
        [
          [...(mods ? ['at'] : []), 'pred', 'se', 'ci.lb', 'ci.ub', 'pi.lb', 'pi.ub', ...(lv ? ['tau2.level'] : [])],
          ...s.predictions.map((p) => [
            ...(mods ? [(p.at ?? []).join(', ')] : []),
            f(p.pred),
            f(p.se),
            f(p.ciLower),
            f(p.ciUpper),
            f(p.piLower),
            f(p.piUpper),
            ...(lv ? [[p.tau2Level, p.gamma2Level].filter((x) => x !== null).join('/')] : []),
          ]),
        ],
        [0],
      ),
    );
    if (s.exponentiated)
      out.push(
        `Exponentiated (${s.measure}): ` +
          s.predictions
            .map((p) => `${f(Math.exp(p.pred))} (${f(Math.exp(p.ciLower))} to ${f(Math.exp(p.ciUpper))})`)
            .join('; '),
      );
  }
  if (s.robust) {
    const r = s.robust;
    const z = r.clusterSizes;
    out.push(
      '',
      `Cluster-robust inference (clusters: '${r.cluster}'):`,
      `Number of estimates:   ${s.k}`,
      `Number of clusters:    ${r.clusters}`,
      `Estimates per cluster: ${z.min}-${z.max} (mean: ${f(z.mean, 2)}, median: ${f(z.median, 0)})`,
      '',
    );
    if (mods)
      out.push(
        `Test of Moderators (coefficient${r.QMdf[0] > 1 ? 's' : ''} ${r.btt.join(', ')})¹:`,
        `F(df1 = ${r.QMdf[0]}, df2 = ${f(r.QMdf[1], 2)}) = ${f(r.QM)}, p-val ${pv(r.QMp)}`,
        '',
      );
    out.push('Model Results:', '', ...coefTable(f, r.coefficients, mods, true, '¹'), '');
    out.push(
      r.type === 'CR2'
        ? '1) results based on cluster-robust inference (var-cov estimator: CR2,\n   approx t-test and confidence interval, df: Satterthwaite approx' +
            (mods ? ', F-test: HTZ)' : ')')
        : `1) results based on cluster-robust inference (var-cov estimator: ${r.type},\n   approx t-test and confidence interval, df: residual method)`,
    );
  }
  out.push(...exclusionsAndWarnings(s.excluded, s.warnings, 'rows'));
  return out.join('\n') + '\n';
}

function bttText(s: MultilevelSummary): string {
  const p = s.coefficients.length;
  const m = s.QMdf[0];
  return m === p ? `1:${p}` : m === p - 1 ? (p === 2 ? '2' : `2:${p}`) : `${m} of ${p}`;
}

function coefTable(
  f: ReturnType<typeof numberFormatter>,
  cs: readonly CoefficientSummary[],
  names: boolean,
  t: boolean,
  mark = '',
): string[] {
  const df = t && cs.some((c) => c.df !== null);
  return alignTable(
    [
      [
        ...(names ? [''] : []),
        'estimate',
        `se${mark}`,
        `${t ? 'tval' : 'zval'}${mark}`,
        ...(df ? [`df${mark}`] : []),
        `pval${mark}`,
        `ci.lb${mark}`,
        `ci.ub${mark}`,
        '',
      ],
      ...cs.map((c) => [
        ...(names ? [c.name] : []),
        f(c.estimate),
        f(c.se),
        f(c.statistic),
        ...(df ? [Number.isInteger(c.df) ? String(c.df) : f(c.df, 2)] : []),
        formatPValue(c.pValue),
        f(c.ciLower),
        f(c.ciUpper),
        stars(c.pValue),
      ]),
    ],
    names ? [0] : [],
  );
}
