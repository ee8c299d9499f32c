/**
 * Dichotomous outcomes of matched pairs (or one group measured twice): the paired 2×2 table ai (both
 * events), bi (event under treatment 1 only), ci (event under treatment 2 only), di (neither), and the
 * Hardy–Weinberg relative excess heterozygosity of genotype counts.
 */
import { tableMeasure, type TableOptions } from './binary.ts';
import { assertNonNegative, requireColumns } from './columns.ts';
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkRange, rowwise } from './rowwise.ts';

export type MatchedPairsMeasure = 'MPRR' | 'MPOR' | 'MPRD' | 'MPORC' | 'MPPETO';

/**
 * Measures of a paired 2×2 table (metafor `measure="MPRR"`, `"MPOR"`, `"MPRD"` on the marginal table,
 * `"MPORC"`, `"MPPETO"` conditional on the discordant pairs), with n = a + b + c + d and the marginal
 * proportions p₁ = (a + b)/n, p₂ = (a + c)/n:
 *
 * ```text
 * MPRR:   yi = ln(p₁/p₂),                 vi = (b + c)/((a + b)(a + c))
 * MPOR:   yi = logit p₁ − logit p₂,       vi = 1/(n·p₁q₁) + 1/(n·p₂q₂) − 2(a/n − p₁p₂)/(n·p₁q₁p₂q₂)
 * MPRD:   yi = (b − c)/n,                 vi = (b + c − (b − c)²/n)/n²
 * MPORC:  yi = ln(b/c),                   vi = 1/b + 1/c
 * MPPETO: yi = 2(b − c)/(b + c),          vi = 4/(b + c)           (Peto's O − E over V, O − E = (b − c)/2, V = (b + c)/4)
 * ```
 *
 * The conditional measures need only the discordant cells bi and ci (a missing ai or di does not exclude
 * the row); a zero in any cell selects the row for `add` under "only0", as in metafor.
 *
 * References: Becker MP, Balagtas CC (1993). Marginal modeling of binary cross-over data. Biometrics
 * 49(4):997–1009; Curtin F, Elbourne D, Altman DG (2002). Meta-analysis combining parallel and cross-over
 * clinical trials. II: Binary outcomes. Stat Med 21(15):2145–2159; Newcombe RG (1998). Stat Med
 * 17(22):2635–2650; Zou GY (2007). Clin Trials 4(1):25–31. Cross-check: metafor's `escalc` documentation
 * (measures for change or matched pairs, dichotomous variables).
 */
export function matchedPairs(
  measure: MatchedPairsMeasure,
  cols: EffectColumns,
  k: number,
  o: TableOptions,
): RowResults {
  const conditional = measure === 'MPORC' || measure === 'MPPETO';
  return tableMeasure(
    measure,
    cols,
    k,
    o,
    ({ a, b, c, d }) => {
      const n = a + b + c + d;
      switch (measure) {
        case 'MPRR':
          return [Math.log((a + b) / (a + c)), (b + c) / ((a + b) * (a + c))];
        case 'MPOR': {
          const p1 = (a + b) / n,
            p2 = (a + c) / n;
          const v1 = p1 * (1 - p1),
            v2 = p2 * (1 - p2);
          return [
            Math.log(p1 / (1 - p1)) - Math.log(p2 / (1 - p2)),
            1 / (n * v1) + 1 / (n * v2) - (2 * (a / n - p1 * p2)) / (n * v1 * v2),
          ];
        }
        case 'MPRD':
          return [(b - c) / n, (b + c - (b - c) ** 2 / n) / (n * n)];
        case 'MPORC':
          return [Math.log(b / c), 1 / b + 1 / c];
        case 'MPPETO':
          return [(2 * (b - c)) / (b + c), 4 / (b + c)];
      }
    },
    undefined,
    conditional ? ['bi', 'ci'] : undefined,
  );
}

/**
 * Marginal log odds ratio of paired data from the two marginal tables (ai, bi events and non-events under
 * treatment 1; ci, di under treatment 2) and the correlation ri (phi) of the paired outcomes (metafor
 * `measure="MPORM"`):
 *
 * ```text
 * yi = ln(ad/(bc)),   vi = 1/a + 1/b + 1/c + 1/d − 2·r·n/√(abcd),   n = round((a + b + c + d)/2)
 * ```
 *
 * (the covariance of the two logits, r/(n·√(p₁q₁p₂q₂)) with pⱼ, qⱼ over n; n is rounded half to even as
 * R's `round`, as metafor does).
 *
 * Reference: Elbourne DR et al. (2002). Meta-analyses involving cross-over trials: methodological issues.
 * Int J Epidemiol 31(1):140–149; Zou GY (2007). Clin Trials 4(1):25–31. Cross-check: metafor's `escalc`
 * documentation (measure "MPORM").
 */
export function marginalOddsRatio(cols: EffectColumns, k: number, o: TableOptions): RowResults {
  const ri = requireColumns(cols, ['ri'], 'MPORM').ri;
  for (let i = 0; i < k; i++) {
    const r = ri[i] as number;
    if (!Number.isNaN(r)) checkRange(r, -1, 1, i, 'ri', 'a correlation');
  }
  const out = tableMeasure('MPORM', cols, k, o, ({ a, b, c, d }, _raw, row) => {
    const n = roundHalfEven((a + b + c + d) / 2);
    return [
      Math.log((a * d) / (b * c)),
      1 / a + 1 / b + 1 / c + 1 / d - (2 * (ri[row] as number) * n) / Math.sqrt(a * b * c * d),
    ];
  });
  // a missing ri leaves vi undefined: say so rather than blame the cells
  for (let i = 0; i < k; i++)
    if (Number.isNaN(ri[i] as number) && out.reasons.get(i)?.startsWith('MPORM') === true)
      out.exclude(i, "missing value in column 'ri'");
  return out;
}

/** R's `round(x)`: to the nearest integer, halves to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Relative excess heterozygosity of genotype counts ai (homozygous dominant), bi (heterozygous), ci
 * (homozygous recessive) (metafor `measure="REH"`): the observed heterozygotes over those expected under
 * Hardy–Weinberg equilibrium, on the log scale,
 *
 * ```text
 * yi = ln(b/(2√(ac))),   vi = 1/(4a) + 1/b + 1/(4c)
 * ```
 *
 * No continuity correction: a zero count makes the row not estimable (metafor 3.8 does not correct REH under
 * its default `to = "only0"` either; its results under `to = "all"` follow no documented rule, so evsynth
 * does not offer them).
 *
 * Reference: Ziegler A, Van Steen K, Wellek S (2011). Investigating Hardy-Weinberg equilibrium in
 * case-control or cohort studies or meta-analysis. Breast Cancer Res Treat 128(1):197–201. Cross-check:
 * metafor's `escalc` documentation (measure "REH").
 */
export function excessHeterozygosity(cols: EffectColumns, k: number): RowResults {
  return rowwise('REH', cols, k, ['ai', 'bi', 'ci'], (r, i, out) => {
    for (const n of ['ai', 'bi', 'ci'] as const) assertNonNegative(r[n], i, n, `${n} (genotype count)`);
    out.set(
      i,
      Math.log(r.bi / (2 * Math.sqrt(r.ai * r.ci))),
      1 / (4 * r.ai) + 1 / r.bi + 1 / (4 * r.ci),
      'REH not estimable: a zero genotype count',
    );
  });
}
