import { critical } from '../distributions/index.ts';
import type { RmaFit } from '../models/rma.ts';

export interface FunnelData {
  /** The studies: effect and standard error. */
  readonly yi: Float64Array;
  readonly sei: Float64Array;
  /** Pooled estimate the funnel is centred on. */
  readonly centre: number;
  /** Largest SE on the plot (the funnel's bottom). */
  readonly seMax: number;
  /** Pseudo-confidence regions: for each level, the half-width multiplier z_{1−α/2} (centre ± z·se). */
  readonly contours: readonly { readonly level: number; readonly z: number }[];
}

/**
 * Funnel-plot data (metafor `funnel.rma`): effects against standard errors with the pseudo
 * confidence region θ̂ ± z_{1−α/2}·se around the pooled estimate. `contours` gives the
 * significance contours of the contour-enhanced funnel plot (Peters et al. 2008), centred on
 * the null instead (`centre = 0`) when `contourEnhanced` is set.
 *
 * References: Sterne JAC, Egger M (2001). J Clin Epidemiol 54(10):1046–1055; Peters JL et al.
 * (2008). Contour-enhanced meta-analysis funnel plots. J Clin Epidemiol 61(10):991–996.
 * doi:10.1016/j.jclinepi.2007.11.010.
 */
export function funnelData(
  fit: RmaFit,
  contourEnhanced = false,
  levels: readonly number[] = contourEnhanced ? [90, 95, 99] : [95],
): FunnelData {
  const sei = Float64Array.from(fit.vi, Math.sqrt);
  return {
    yi: Float64Array.from(fit.yi),
    sei,
    centre: contourEnhanced ? 0 : (fit.coefficients[0]?.estimate as number),
    seMax: Math.max(...sei) * 1.05,
    contours: levels.map((level) => ({ level, z: critical(level) })),
  };
}
