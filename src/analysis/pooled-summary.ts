/**
 * The headline numbers of one meta-analysis, as a guideline reads them (№ studies and participants, estimate,
 * CI, PI, τ², I², P): the one place `update`/`diff`, the Summary of Findings table and the report take them
 * from. Read from the fit; nothing is recomputed here.
 */
import { hasColumn, numericColumn, studyLabels, type DataTable } from '../io/csv.ts';
import { isCommonEffect } from '../models/rma.ts';
import { pooledEstimate, type MetaAnalysis } from './meta-analysis.ts';

export interface PooledSummary {
  /** Rows pooled (a study with several comparisons counts once per row). */
  readonly k: number;
  /** Distinct study labels among the rows pooled. */
  readonly studies: number;
  /** Σ(n1i + n2i), or Σ ni, over the rows pooled; null without group sizes (or a missing one). */
  readonly participants: number | null;
  /** Estimate, CI and PI on the analysis scale (log for ratio measures). */
  readonly estimate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly pValue: number;
  readonly piLower: number | null;
  readonly piUpper: number | null;
  /** τ² of a random-effects model; null for common-effect, MH and Peto models. */
  readonly tau2: number | null;
  /** I² in percent. */
  readonly I2: number;
  readonly Q: number;
  readonly QDf: number;
  readonly QPValue: number;
}

/**
 * Participants of the given table rows: Σ(n1i + n2i) for two-group data, Σ ni for one-group data; null when
 * the table has no group sizes or one of the rows lacks one. A control arm shared by several rows is
 * counted once per row (as RevMan's totals count it).
 */
export function participantsOf(t: DataTable, rows: readonly number[]): number | null {
  const n = (col: string) => (hasColumn(t, col) ? numericColumn(t, col) : null);
  const n1 = n('n1i'),
    n2 = n('n2i'),
    ni = n('ni');
  const total =
    n1 && n2
      ? rows.reduce((s, i) => s + (n1[i] as number) + (n2[i] as number), 0)
      : ni
        ? rows.reduce((s, i) => s + (ni[i] as number), 0)
        : null;
  return total !== null && Number.isFinite(total) ? total : null;
}

/** The headline numbers of `a`, an analysis of rows of `t` (its `inputRows` index `t`'s data rows). */
export function pooledSummary(a: MetaAnalysis, t: DataTable): PooledSummary {
  const e = pooledEstimate(a);
  const used = a.studies.rows.map((r) => a.inputRows[r] as number);
  const labels = studyLabels(t);
  const m = a.model;
  // τ² and a prediction interval need at least two studies
  const random = m.kind === 'rma' && !isCommonEffect(m.fit.method) && a.studies.yi.length >= 2;
  return {
    k: a.studies.yi.length,
    studies: new Set(used.map((i) => labels[i])).size,
    participants: participantsOf(t, used),
    estimate: e.estimate,
    ciLower: e.ciLower,
    ciUpper: e.ciUpper,
    pValue: e.pValue,
    piLower: random && m.kind === 'rma' ? m.prediction.piLower : null,
    piUpper: random && m.kind === 'rma' ? m.prediction.piUpper : null,
    tau2: random && m.kind === 'rma' ? m.fit.tau2 : null,
    I2: m.fit.I2,
    Q: m.fit.QE,
    QDf: m.fit.QEdf,
    QPValue: m.fit.QEp,
  };
}
