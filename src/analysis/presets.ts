import { EvsynthError } from '../core/errors.ts';
import { DEFAULT_TAU2_METHOD } from '../models/tau2/registry.ts';
import type { AnalysisOptions } from './meta-analysis.ts';

/**
 * Named conventions. Each sets the defaults that an explicit option still overrides.
 *
 * - `metafor` (default): metafor 3.8's defaults: exact Hedges' g, REML τ², Wald z tests, 1/2 added to
 *   zero cells of studies with a zero cell (double-zero studies kept), metafor's prediction interval.
 * - `revman5`: Review Manager 5 (Deeks JJ, Higgins JPT (2010), "Statistical algorithms in Review
 *   Manager 5"; Cochrane Handbook v6.4 §10.10.4): RevMan's effect-size rules (`convention: 'revman5'`:
 *   Hedges' adjusted g with the approximate correction 1 − 3/(4N − 9) and variance N/(n₁n₂) + g²/(2(N − 3.94));
 *   1/2 added to every cell of a study with a zero cell; RevMan's rules for studies without events),
 *   random effects by DerSimonian–Laird (for RR, OR and RD with Q about the Mantel–Haenszel estimate);
 *   z tests; I² = (Q − df)/Q, which equals evsynth's τ²-based I² under DL without moderators. Checked
 *   against 80,687 study rows of 501 Cochrane reviews (docs/cochrane/SUMMARY.md).
 *
 * RevMan Web (2020+) is not offered: its algorithms document was not available to this project, and
 * the corpus rows it produced (e.g. "results combined for overall total") are not all reproduced.
 */
export const PRESETS = {
  metafor: { method: DEFAULT_TAU2_METHOD, test: 'z', convention: 'metafor' },
  revman5: { method: 'DL', test: 'z', convention: 'revman5', tau2From: 'mantel-haenszel' },
} as const satisfies Record<string, Partial<Omit<AnalysisOptions, 'measure'>>>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as readonly PresetName[];

export function parsePreset(name: string): PresetName {
  if (name === 'revman-web') {
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      "preset 'revman-web' is not available: RevMan Web's algorithms are not documented to this project (see README, 'Conventions')",
    );
  }
  if (!Object.hasOwn(PRESETS, name))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `unknown preset '${name}'; expected ${PRESET_NAMES.join(' or ')}`);
  return name as PresetName;
}
