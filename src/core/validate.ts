/**
 * The one validation layer: every public entry point (fitRma, fitBatch, the pooled-table fits, the
 * diagnostics, the CLI) checks its arguments with these functions, so that bad input always ends in an
 * {@link EvsynthError} with a stable code and a message that names the function, the argument and what
 * was expected — never a TypeError from deep inside, never NaN in a result.
 */
import { EvsynthError } from './errors.ts';

/** A short, printable description of a value that was not what an argument expects. */
function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return `the string '${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'bigint') return `the bigint ${x}n`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'function') return 'a function';
  return `a ${typeof x}`;
}

/**
 * Checks that `x` is an array or typed array of numbers (any values, NaN included: finiteness is checked
 * by the caller where it matters). Strings, objects and arrays holding non-numbers are rejected.
 */
export function assertNumberArray(x: unknown, name: string, where: string): asserts x is ArrayLike<number> {
  const typed =
    ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array || x instanceof BigUint64Array);
  if (!Array.isArray(x) && !typed)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: ${name} is ${describeValue(x)}; expected an array of numbers`,
    );
  const a = x as ArrayLike<unknown>;
  if (!typed)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (typeof v !== 'number')
        throw new EvsynthError(
          'NOT_A_NUMBER',
          `${where}: ${name}[${i}] is ${describeValue(v)}; expected a number${typeof v === 'string' ? ' (convert strings with Number())' : ''}`,
        );
    }
}

/**
 * Checks that `yi` and `vi` describe k ≥ 1 studies: arrays of numbers of equal length, finite
 * estimates, finite and strictly positive variances. Used once at each public model entry point; the
 * numeric kernels then assume valid input.
 */
export function assertEffects(yi: unknown, vi: unknown, where: string): asserts yi is ArrayLike<number> {
  assertNumberArray(yi, 'yi', where);
  assertNumberArray(vi, 'vi', where);
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
export function assertLevel(level: unknown, where: string): asserts level is number {
  if (!(typeof level === 'number' && Number.isFinite(level) && level > 0 && level < 100)) {
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: level is ${describeValue(level)}; expected a percentage between 0 and 100 (e.g. 95)`,
    );
  }
  // the two-sided critical value is the quantile at 1 − α/2: where that rounds to 1 it is infinite
  const half = (1 - level / 100) / 2;
  if (!(1 - half < 1))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: level ${level} is too close to 100: 1 − α/2 rounds to 1 in double precision, so the critical value is infinite; use at most 99.9999999999999`,
    );
}

/**
 * Checks that an options argument is a plain object (or absent) and, given `known`, that it names no other
 * option: a misspelt option (`{ methd: 'DL' }`) is an error, not silently the default.
 */
export function assertOptions(x: unknown, where: string, known?: readonly string[]): void {
  if (x === undefined) return;
  if (x === null || typeof x !== 'object' || Array.isArray(x))
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: options is ${describeValue(x)}; expected an object`);
  if (known === undefined) return;
  for (const key of Object.keys(x))
    if (!known.includes(key) && (x as Record<string, unknown>)[key] !== undefined)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `${where}: unknown option '${key}'; expected ${known.map((k) => `'${k}'`).join(', ')}`,
      );
}

/** Checks that `value` is one of `choices` (a code such as a test type or a predictor). */
export function assertChoice<T extends string>(
  value: unknown,
  choices: readonly T[],
  name: string,
  where: string,
): asserts value is T {
  if (!choices.includes(value as T))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `${where}: ${name} is ${describeValue(value)}; expected one of ${choices.join(', ')}`,
    );
}

/** Checks a whole number within [min, max]. */
export function assertInteger(
  x: unknown,
  name: string,
  where: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): asserts x is number {
  if (!(typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: ${name} is ${describeValue(x)}; expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}`,
    );
}

/** Checks a finite number within [min, max] (`open`: the bounds excluded). */
export function assertFiniteNumber(
  x: unknown,
  name: string,
  where: string,
  bounds: { readonly min?: number; readonly max?: number; readonly open?: boolean } = {},
): asserts x is number {
  const { min = -Infinity, max = Infinity, open = false } = bounds;
  const ok = typeof x === 'number' && Number.isFinite(x) && (open ? x > min && x < max : x >= min && x <= max);
  if (!ok) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a number ${open ? '>' : '≥'} ${min}`
          : min === -Infinity
            ? `a number ${open ? '<' : '≤'} ${max}`
            : `a number ${open ? 'strictly ' : ''}between ${min} and ${max}`;
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: ${name} is ${describeValue(x)}; expected ${range}`);
  }
}
