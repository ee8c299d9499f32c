import { pnorm, qnorm } from '../distributions/index.ts';

/** A printed p-value as an interval: "0.003" → [0.0025, 0.0035]; "<0.01" → [0, 0.01). */
export interface PrintedP {
  readonly lower: number;
  readonly upper: number;
  readonly text: string;
}

/** Parses a p-value as printed ("0.003", "=0.003", "<0.01", "< .001", ">0.05"); null if unreadable. */
export function parsePrintedP(text: string): PrintedP | null {
  const m = /^\s*([<>=≤≥]?)\s*(\d*\.?\d+(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const rel = m[1] as string,
    num = m[2] as string;
  const value = Number(num);
  const decimals = num.includes('.') ? (num.split('.')[1] as string).length : 0;
  const half = 0.5 * 10 ** -decimals;
  if (rel === '<' || rel === '≤') return { lower: 0, upper: value, text };
  if (rel === '>' || rel === '≥') return { lower: value, upper: 1, text };
  return { lower: Math.max(0, value - half), upper: Math.min(1, value + half), text };
}

export interface ConsistencyResult {
  readonly consistent: boolean;
  /** The range of two-sided p-values the printed estimate and CI allow, given their rounding. */
  readonly impliedP: readonly [number, number] | null;
  readonly problems: readonly string[];
}

/**
 * Checks that a published estimate, its confidence interval and its p-value agree with one
 * another, allowing for rounding to `decimals`: the estimate must lie within the CI, the CI must
 * be symmetric about it (on the analysis scale), and the printed p must fall within the range of
 * Wald p-values 2Φ(−|θ̂|/se), se = (upper − lower)/(2·z_{1−α/2}), that the rounded numbers allow.
 * `transform` maps printed values to the analysis scale (Math.log for ratios printed exponentiated).
 *
 * Reference: Altman DG, Bland JM (2011). How to obtain the P value from a confidence interval.
 * BMJ 343:d2304. doi:10.1136/bmj.d2304.
 */
export function checkPublishedConsistency(
  estimate: number,
  lower: number | undefined,
  upper: number | undefined,
  pText: string | undefined,
  decimals: number,
  transform: (x: number) => number = (x) => x,
  level = 95,
): ConsistencyResult {
  const problems: string[] = [];
  if (lower === undefined || upper === undefined) return { consistent: true, impliedP: null, problems };
  const h = 0.5 * 10 ** -decimals * (1 + 1e-9);
  if (estimate < lower - 2 * h || estimate > upper + 2 * h)
    problems.push(`the estimate ${estimate} lies outside its CI ${lower} to ${upper}`);
  const [e0, e1] = [transform(estimate - h), transform(estimate + h)];
  const [l0, l1] = [transform(lower - h), transform(lower + h)];
  const [u0, u1] = [transform(upper - h), transform(upper + h)];
  const mid0 = (l0 + u0) / 2,
    mid1 = (l1 + u1) / 2;
  if (e1 < mid0 - (e1 - e0) || e0 > mid1 + (e1 - e0))
    problems.push(`the CI ${lower} to ${upper} is not symmetric about ${estimate} (beyond rounding)`);
  const z = qnorm(1 - (1 - level / 100) / 2);
  const seMin = Math.max((u0 - l1) / (2 * z), Number.MIN_VALUE),
    seMax = (u1 - l0) / (2 * z);
  const absMin = e0 <= 0 && e1 >= 0 ? 0 : Math.min(Math.abs(e0), Math.abs(e1));
  const absMax = Math.max(Math.abs(e0), Math.abs(e1));
  const impliedP: [number, number] = [2 * pnorm(-absMax / seMin), 2 * pnorm(-absMin / seMax)];
  if (pText !== undefined) {
    const p = parsePrintedP(pText);
    if (p === null) problems.push(`the printed p-value '${pText}' cannot be read`);
    else if (p.upper < impliedP[0] || p.lower > impliedP[1]) {
      problems.push(
        `P ${pText} contradicts the CI, which implies P between ${impliedP[0].toPrecision(2)} and ${impliedP[1].toPrecision(2)}`,
      );
    }
  }
  return { consistent: problems.length === 0, impliedP, problems };
}
