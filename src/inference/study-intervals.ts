import { critical } from '../distributions/index.ts';

export interface StudyIntervals {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * Per-study Wald confidence intervals yᵢ ± z_{1−α/2}·√vᵢ, as forest plots and RevMan print
 * them (metafor `summary.escalc`, `forest.rma`).
 */
export function studyIntervals(yi: ArrayLike<number>, vi: ArrayLike<number>, level = 95): StudyIntervals {
  const z = critical(level);
  const lower = new Float64Array(yi.length),
    upper = new Float64Array(yi.length);
  for (let i = 0; i < yi.length; i++) {
    const s = Math.sqrt(vi[i] as number);
    lower[i] = (yi[i] as number) - z * s;
    upper[i] = (yi[i] as number) + z * s;
  }
  return { lower, upper };
}
