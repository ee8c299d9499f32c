/**
 * How numbers are shown: the engine's formatter (core/format.ts) for every number, ratio measures
 * back-transformed (exp) with the log value kept beside, other transformed measures with the registry's
 * back-transformation (Fisher's z as a correlation, logit as a proportion).
 */
import { formatNumber, formatPValue, measureLabel, measureSpec, RATIO_MEASURES, type Measure } from 'evsynth';

export const num = (x: number | null | undefined, d = 4) => formatNumber(x, d);
export const pval = (p: number | null | undefined) => {
  const s = formatPValue(p);
  return s.startsWith('<') ? `p < ${s.slice(1)}` : `p = ${s}`;
};
export const pct = (x: number | null | undefined, d = 1) =>
  x === null || x === undefined || Number.isNaN(x) ? 'NA' : `${x.toFixed(d)}%`;

export interface Scale {
  /** Name of the shown scale ("Risk ratio"). */
  readonly label: string;
  /** Natural-scale value of an analysis-scale value. */
  readonly shown: (y: number) => number;
  /** Whether the shown value differs from the analysis value (then the analysis value is offered too). */
  readonly transformed: boolean;
  /** Name of the analysis scale ("log risk ratio"). */
  readonly analysisLabel: string;
}

export function scaleOf(measure: string): Scale {
  const m = measure as Measure;
  let spec: ReturnType<typeof measureSpec> | null;
  try {
    spec = measureSpec(m);
  } catch {
    spec = null;
  }
  const label = spec ? measureLabel(m) : measure;
  if (RATIO_MEASURES.has(m) || measure === 'PETO')
    return {
      label,
      shown: Math.exp,
      transformed: true,
      analysisLabel: `log ${label.charAt(0).toLowerCase()}${label.slice(1)}`,
    };
  const bt = spec?.backTransform;
  if (bt)
    return {
      label: bt.label.charAt(0).toUpperCase() + bt.label.slice(1),
      shown: bt.f,
      transformed: true,
      analysisLabel: label,
    };
  return { label, shown: (y) => y, transformed: false, analysisLabel: label };
}

/** "0.49 (0.34 to 0.70)" on the shown scale. */
export function ci(sc: Scale, est: number | null, lo: number | null, hi: number | null, d = 4): string {
  const f = (x: number | null) => (x === null ? 'NA' : num(sc.shown(x), d));
  return `${f(est)} (${f(lo)} to ${f(hi)})`;
}

/** The same on the analysis scale. */
export function ciRaw(est: number | null, lo: number | null, hi: number | null, d = 4): string {
  return `${num(est, d)} (${num(lo, d)} to ${num(hi, d)})`;
}

/** A number at sensible precision for a CSV download: 6 significant digits, NA for missing. */
export function csvNumber(x: number | null | undefined): string | number {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'NA';
  return Number(x.toPrecision(6));
}
