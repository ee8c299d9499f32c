/**
 * Reproduces the per-study results of one exported Cochrane analysis: finds the measure and the
 * pooling model whose effects, CIs and weights match what RevMan printed, and classifies every row.
 */
import type { ExportRow } from './export.ts';
import {
  CANDIDATE_MEASURES,
  CI_LEVELS,
  POOLING_MODELS,
  checkEffect,
  revmanEffects,
  revmanRawWeights,
  revmanWeights,
  type CandidateMeasure,
  type PoolingModel,
  type StudyEffect,
} from './revman.ts';

/** Weights within each subgroup; of the whole analysis (one τ²); of the whole analysis with each subgroup's own τ². */
const WEIGHT_SCOPES = ['subgroup', 'overall', 'overall-subgroup-tau2'] as const;
type WeightScope = (typeof WEIGHT_SCOPES)[number];

type RowVerdict = 'reproduced' | 'differs' | 'not estimable (agrees)' | 'no printed result';

interface RowResult {
  readonly review: string;
  readonly analysis: string;
  readonly subgroup: string;
  readonly study: string;
  readonly line: number;
  readonly measure: CandidateMeasure | null;
  readonly model: PoolingModel | null;
  readonly verdict: RowVerdict;
  /** Why a row is not reproduced, or why it has no usable data. */
  readonly reason: string;
  readonly effectDiff: number | null;
  readonly weightDiff: number | null;
}

export interface AnalysisResult {
  readonly review: string;
  readonly analysis: string;
  readonly measure: CandidateMeasure | null;
  readonly model: PoolingModel | null;
  /** Whether the printed weights are percentages within subgroups or of the whole analysis. */
  readonly scope: WeightScope | null;
  /** Confidence level of the printed CIs. */
  readonly level: number;
  readonly rows: readonly RowResult[];
}

/** Weights are printed with 6 decimals; the target is agreement to 0.01 percentage points. */
const WEIGHT_TOLERANCE = 0.01;

export function reproduceExportAnalysis(rows: readonly ExportRow[]): AnalysisResult {
  const first = rows[0] as ExportRow;
  const printedRows = rows.filter((r) => r.printed !== null && r.malformed === null);
  // 1. the measure: the candidate that reproduces the most printed effects and CIs
  let measure: CandidateMeasure | null = null,
    level = 95,
    best = 0;
  const usableRows = rows.filter((r) => r.malformed === null);
  const byMeasure = new Map(
    CANDIDATE_MEASURES.map((m) => {
      const e = revmanEffects(usableRows, m);
      return [m, new Map(usableRows.map((r, i) => [r, e[i] ?? null]))] as const;
    }),
  );
  for (const lv of CI_LEVELS)
    for (const m of CANDIDATE_MEASURES) {
      let ok = 0;
      for (const r of printedRows) {
        const e = byMeasure.get(m)?.get(r);
        if (e && r.printed) {
          const c = checkEffect(e, m, r.printed, lv);
          if (c.effectOk && c.ciOk) ok++;
        }
      }
      if (ok > best) {
        best = ok;
        measure = m;
        level = lv;
      }
    }
  const effects = new Map<ExportRow, StudyEffect | null>(
    rows.map((r) => [r, measure ? (byMeasure.get(measure)?.get(r) ?? null) : null]),
  );
  // 2. the model: the candidate whose weights match the most printed weights. RevMan prints weights
  // as percentages within each subgroup (subtotals only) or of the whole analysis (with totals).
  // Analyses shown without totals print every weight as 0: there is no pooling to reproduce.
  const unpooled = rows.every((r) => r.weight === null || r.weight === 0);
  const weighted = unpooled ? [] : rows.filter((r) => r.printed && r.weight !== null && effects.get(r));
  const bySubgroup = new Map<string, ExportRow[]>();
  for (const r of weighted) bySubgroup.set(r.subgroup, [...(bySubgroup.get(r.subgroup) ?? []), r]);
  // RevMan Web exports of subgrouped analyses may add ungrouped rows ("Results combined for overall
  // total"): a study split across subgroups enters the overall pool once, combined. The overall pool is
  // then the named rows of other studies plus the combined rows; a split row is weighted as if it
  // replaced its study's combined row.
  const named = weighted.filter((r) => r.subgroup !== '');
  const loose = named.length > 0 ? weighted.filter((r) => r.subgroup === '') : [];
  const looseStudies = new Set(loose.map((r) => r.study));
  const pool = loose.length > 0 ? [...named.filter((r) => !looseStudies.has(r.study)), ...loose] : weighted;
  const split = loose.length > 0 ? named.filter((r) => looseStudies.has(r.study)) : [];
  const scopes: Record<WeightScope, ExportRow[][]> = {
    subgroup: [...bySubgroup.values()],
    overall: [pool],
    'overall-subgroup-tau2': [],
  };
  let model: PoolingModel | null = null,
    scope: WeightScope | null = null,
    bestW = -1;
  let wmap: Map<ExportRow, number> | undefined;
  if (measure && !unpooled) {
    for (const sc of WEIGHT_SCOPES)
      for (const pm of POOLING_MODELS) {
        const map = new Map<ExportRow, number>();
        let ok = 0,
          applicable = true;
        for (const g of scopes[sc]) {
          if (g.length === 0) continue;
          const w = revmanWeights(
            g.map((r) => effects.get(r) as StudyEffect),
            measure,
            pm,
          );
          if (!w) {
            applicable = false;
            break;
          }
          g.forEach((r, i) => {
            map.set(r, w[i] as number);
            if (Math.abs((w[i] as number) - (r.weight as number)) <= WEIGHT_TOLERANCE) ok++;
          });
        }
        if (sc === 'overall-subgroup-tau2') {
          const raw = new Map<ExportRow, number>();
          for (const g of bySubgroup.values()) {
            const w = revmanRawWeights(
              g.map((r) => effects.get(r) as StudyEffect),
              measure,
              pm,
            );
            if (!w) {
              applicable = false;
              break;
            }
            g.forEach((r, i) => raw.set(r, w[i] as number));
          }
          if (!applicable) continue;
          const total = [...raw.values()].reduce((a, b) => a + b, 0);
          for (const [r, x] of raw) {
            const w = (100 * x) / total;
            map.set(r, w);
            if (Math.abs(w - (r.weight as number)) <= WEIGHT_TOLERANCE) ok++;
          }
        }
        if (sc === 'overall' && applicable) {
          for (const r of split) {
            const p = [...pool.filter((x) => !(x.subgroup === '' && x.study === r.study)), r];
            const w = revmanWeights(
              p.map((x) => effects.get(x) as StudyEffect),
              measure,
              pm,
            );
            if (!w) continue;
            const wr = w[p.length - 1] as number;
            map.set(r, wr);
            if (Math.abs(wr - (r.weight as number)) <= WEIGHT_TOLERANCE) ok++;
          }
        }
        if (!applicable) continue;
        if (ok > bestW) {
          bestW = ok;
          model = pm;
          scope = sc;
          wmap = map;
        }
      }
  }
  const results = rows.map((r): RowResult => {
    const base = {
      review: r.review,
      analysis: r.analysis,
      subgroup: r.subgroup,
      study: r.study,
      line: r.line,
      measure,
      model,
    };
    if (r.malformed)
      return {
        ...base,
        verdict: 'differs',
        reason: `malformed row: ${r.malformed}`,
        effectDiff: null,
        weightDiff: null,
      };
    const e = effects.get(r) ?? null;
    if (!r.printed) {
      return {
        ...base,
        verdict: e === null ? 'not estimable (agrees)' : 'no printed result',
        reason:
          e === null
            ? 'RevMan printed no result and none is computable'
            : 'RevMan printed no result for a study with usable data (excluded from the analysis or not estimable under RevMan rules)',
        effectDiff: null,
        weightDiff: null,
      };
    }
    if (measure === null)
      return {
        ...base,
        verdict: 'differs',
        reason: 'no candidate measure reproduces any printed effect of the analysis',
        effectDiff: null,
        weightDiff: null,
      };
    if (e === null)
      return {
        ...base,
        verdict: 'differs',
        reason: `export data error: the row lacks usable ${measure} input (missing, zero or inconsistent values) although RevMan printed a result`,
        effectDiff: null,
        weightDiff: null,
      };
    const c = checkEffect(e, measure, r.printed, level);
    const effectDiff = Math.abs(c.effect - r.printed.mean);
    const w = wmap?.get(r);
    const weightDiff = unpooled || w === undefined || r.weight === null ? null : Math.abs(w - r.weight);
    if (!c.effectOk)
      return {
        ...base,
        verdict: 'differs',
        reason: `effect differs from the printed ${measure} (the row's inputs do not give the printed value)`,
        effectDiff,
        weightDiff,
      };
    if (!c.ciOk)
      return { ...base, verdict: 'differs', reason: 'effect matches but the CI differs', effectDiff, weightDiff };
    if (weightDiff !== null && weightDiff > WEIGHT_TOLERANCE) {
      const combined = loose.length > 0 ? '; the analysis has rows combined for the overall total (RevMan Web)' : '';
      return {
        ...base,
        verdict: 'differs',
        reason: `weight differs under the detected model (${model}, weights within ${scope})${combined}`,
        effectDiff,
        weightDiff,
      };
    }
    return { ...base, verdict: 'reproduced', reason: '', effectDiff, weightDiff };
  });
  return { review: first.review, analysis: first.analysis, measure, model, scope, level, rows: results };
}
