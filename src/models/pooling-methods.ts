/**
 * Pooling methods: every τ² estimator of the registry (models/tau2/registry.ts), EE/FE for the common-effect
 * model, Mantel–Haenszel and Peto. Parsing, help text and choices derive from this list.
 */
import { EvsynthError } from '../core/errors.ts';
import { TAU2_METHODS, TAU2_REGISTRY, type Tau2Method } from './tau2/registry.ts';

/** A pooling method: a τ² estimator (EE/FE for common effect), Mantel–Haenszel, or Peto. */
export type PoolingMethod = Tau2Method | 'MH' | 'PETO';

/** How a method pools: inverse-variance weights (`rma.uni`), Mantel–Haenszel (`rma.mh`) or Peto (`rma.peto`). */
export type PoolingKind = 'inverse-variance' | 'mantel-haenszel' | 'peto';

const TABLE_METHODS = { MH: 'Mantel-Haenszel', PETO: 'Peto' } as const;

export const POOLING_METHODS: readonly PoolingMethod[] = [...TAU2_METHODS, 'MH', 'PETO'];

/** Checks a method code (any case; `hsk`, `reml`, `mh`, `peto` accepted). */
export function parsePoolingMethod(name: string): PoolingMethod {
  const m = POOLING_METHODS.find((x) => x.toUpperCase() === name.toUpperCase());
  if (m === undefined)
    throw new EvsynthError('UNKNOWN_METHOD', `unknown method '${name}'; expected one of ${POOLING_METHODS.join(', ')}`);
  return m;
}

export function poolingKind(m: PoolingMethod): PoolingKind {
  return m === 'MH' ? 'mantel-haenszel' : m === 'PETO' ? 'peto' : 'inverse-variance';
}

/** The name metafor prints for the method ("REML", "DerSimonian-Laird", "Mantel-Haenszel"). */
export function poolingMethodLabel(m: PoolingMethod): string {
  return m === 'MH' || m === 'PETO' ? TABLE_METHODS[m] : TAU2_REGISTRY[m].label;
}

/** The method list for help text: "DL, HE, …, EE/FE (common effect), MH or PETO" (from the registry). */
export function describePoolingMethods(
  include: readonly PoolingKind[] = ['inverse-variance', 'mantel-haenszel', 'peto'],
): string {
  const random = TAU2_METHODS.filter((m) => !TAU2_REGISTRY[m].common);
  const common = TAU2_METHODS.filter((m) => TAU2_REGISTRY[m].common);
  const parts = include.includes('inverse-variance') ? [...random, `${common.join('/')} (common effect)`] : [];
  if (include.includes('mantel-haenszel')) parts.push('MH');
  if (include.includes('peto')) parts.push('PETO');
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}` : (parts[0] ?? '');
}
