import { EvsynthError } from './errors.ts';

/**
 * Checks that `yi` and `vi` describe k ≥ 1 studies: equal lengths, finite
 * estimates, finite and strictly positive variances. Used once at each public
 * model entry point; the numeric kernels then assume valid input.
 */
export function assertEffects(yi: ArrayLike<number>, vi: ArrayLike<number>, where: string): void {
  if (yi.length !== vi.length) {
    throw new EvsynthError('LENGTH_MISMATCH', `${where}: yi has ${yi.length} values but vi has ${vi.length}`);
  }
  if (yi.length === 0) throw new EvsynthError('TOO_FEW_STUDIES', `${where}: no studies (k = 0)`);
  for (let i = 0; i < yi.length; i++) {
    const y = yi[i] as number;
    const v = vi[i] as number;
    if (!Number.isFinite(y))
      throw new EvsynthError('NON_FINITE', `${where}: yi[${i}] is ${y}; expected a finite number`);
    if (!Number.isFinite(v))
      throw new EvsynthError('NON_FINITE', `${where}: vi[${i}] is ${v}; expected a finite number`);
    if (!(v > 0))
      throw new EvsynthError('NON_POSITIVE_VARIANCE', `${where}: vi[${i}] is ${v}; expected a sampling variance > 0`);
  }
}

/** Checks a confidence level given in percent (metafor's `level`), 0 < level < 100. */
export function assertLevel(level: number, where: string): void {
  if (!(Number.isFinite(level) && level > 0 && level < 100)) {
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: level is ${level}; expected a percentage between 0 and 100 (e.g. 95)`,
    );
  }
}
