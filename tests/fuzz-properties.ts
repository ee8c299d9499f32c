/**
 * The fuzz properties of issue 14, shared by tests/fuzz.test.ts (a few hundred inputs in npm test) and
 * scripts/fuzz.ts (10⁵ inputs, figures in docs/robustness.md): over the CSV reader and the engine's entry
 * points, nothing throws but an EvsynthError, and a result reported as a success has no NaN where a
 * number is defined. (Bounded time: each run has a timeout; the script reports the slowest call.)
 */
import fc from 'fast-check';
import { analyzeTable, overallOf } from '../src/analysis/analyze.ts';
import { publicationBias, sensitivityAnalyses } from '../src/analysis/diagnostics.ts';
import { EvsynthError } from '../src/core/errors.ts';
import { parseCsv, numericColumn, stringColumn } from '../src/io/csv.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma, isCommonEffect, type RmaFit } from '../src/models/rma.ts';
import { TAU2_METHODS, type Tau2Method } from '../src/models/tau2/index.ts';

/** Outcome of one call: a success, a typed error (by code), or a failure (what went wrong). */
export type Outcome = { ok: true } | { ok: false; code: string } | { failure: string };

/** Runs f: a success must pass `check` (which returns a problem or null); errors must be EvsynthErrors. */
export function outcome<T>(f: () => T, check: (r: T) => string | null): Outcome {
  let r: T;
  try {
    r = f();
  } catch (e) {
    if (e instanceof EvsynthError) return { ok: false, code: e.code };
    return { failure: `threw ${(e as Error).name}: ${(e as Error).message}` };
  }
  const problem = check(r);
  return problem === null ? { ok: true } : { failure: problem };
}

const finite = (x: number) => Number.isFinite(x);
/** A problem with a fit reported as a success: a NaN or infinite number where one is defined. */
export function fitProblem(f: RmaFit): string | null {
  for (const c of f.coefficients) {
    if (![c.estimate, c.se, c.ciLower, c.ciUpper].every(finite)) return `non-finite coefficient ${JSON.stringify(c)}`;
    if (Number.isNaN(c.pValue) || Number.isNaN(c.statistic)) return `NaN test of ${c.name}`;
  }
  if (![f.tau2, f.tau, f.I2, f.H2, f.QE, f.QEp].every(finite))
    return `non-finite heterogeneity τ²=${f.tau2} I²=${f.I2} H²=${f.H2} QE=${f.QE}`;
  if (!(f.tau2 >= 0 && f.I2 >= 0 && f.I2 <= 100)) return `out of range τ²=${f.tau2} I²=${f.I2}`;
  if (!Array.from(f.weights).every(finite)) return 'non-finite weights';
  // the SE of an estimated τ² (not of common-effect models or without residual df: NaN by
  // design) is a non-negative finite number: where none can be computed, fitRma throws NO_FINITE_RESULT
  if (!isCommonEffect(f.method) && f.k > f.p && !(f.tau2SE >= 0 && f.tau2SE < Infinity))
    return `SE of τ² = ${f.tau2SE}`;
  return null;
}

/** Doubles of every kind, weighted towards the troublesome: extremes, subnormals, zeros, NaN, ±∞. */
const anyDouble = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) },
  { weight: 2, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, -0, 1e-300, 1e300, -1e300, 5e-324, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity),
  },
);
const variance = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: 1e-4, max: 2, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: 5e-324, max: Number.MAX_VALUE, noNaN: true }) },
  { weight: 1, arbitrary: anyDouble },
);
const junk = fc.oneof(fc.string(), fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.object());

/** k studies of ordinary data at a common scale 2ˢ (estimates) and 4ˢ (variances), s from −500 to 500. */
const scaledStudies = fc
  .tuple(
    fc.integer({ min: 1, max: 12 }),
    fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -500, max: 500 }) }),
  )
  .chain(([k, sc]) =>
    fc.tuple(
      fc
        .array(
          fc.oneof(
            { weight: 8, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
            { weight: 1, arbitrary: fc.constant(0.25) },
          ),
          { minLength: k, maxLength: k },
        )
        .map((a) => a.map((y) => y * 2 ** sc)),
      fc
        .array(
          fc.oneof(
            { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 1, noNaN: true }) },
            { weight: 1, arbitrary: fc.double({ min: 1e-12, max: 1e6, noNaN: true }) },
          ),
          { minLength: k, maxLength: k },
        )
        .map((a) => a.map((v) => v * 4 ** sc)),
    ),
  );

/** fitRma(yi, vi, options) with arbitrary arrays and options (mostly valid; sometimes not arrays, not numbers, not valid). */
export const fitRmaArgs = fc.tuple(
  fc.oneof(
    { weight: 12, arbitrary: scaledStudies },
    {
      weight: 3,
      arbitrary: fc
        .integer({ min: 1, max: 12 })
        .chain((k) =>
          fc.tuple(
            fc.array(anyDouble, { minLength: k, maxLength: k }),
            fc.array(variance, { minLength: k, maxLength: k }),
          ),
        ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.array(anyDouble, { maxLength: 5 }), fc.array(variance, { maxLength: 5 })) },
    { weight: 1, arbitrary: fc.tuple(junk, junk) },
  ),
  fc.record(
    {
      method: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...TAU2_METHODS) },
        { weight: 1, arbitrary: fc.string() },
      ),
      test: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom('z', 'knha', 'adhoc') },
        { weight: 1, arbitrary: fc.string() },
      ),
      level: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(90, 95, 99) }, { weight: 1, arbitrary: fc.double() }),
      control: fc.oneof(
        { weight: 12, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record(
            {
              threshold: fc.oneof(fc.constant(1e-8), fc.double()),
              maxiter: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double()),
              tau2Init: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double()),
            },
            { requiredKeys: [] },
          ),
        },
      ),
    },
    { requiredKeys: [] },
  ),
);

type FitArgs = [[unknown, unknown], Record<string, unknown>];

export function checkFitRma([[yi, vi], options]: FitArgs): Outcome {
  return outcome(() => fitRma(yi as number[], vi as number[], options as never), fitProblem);
}

/** The diagnostics on a fit of ordinary data (each must apply or say it does not). */
export const diagnosticArgs = fc.integer({ min: 1, max: 9 }).chain((k) =>
  fc.tuple(
    fc.array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constant(0.1)), { minLength: k, maxLength: k }),
    fc.array(fc.oneof(fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.constant(0.05)), {
      minLength: k,
      maxLength: k,
    }),
    fc.constantFrom(...TAU2_METHODS),
  ),
);

export async function checkDiagnostics([yi, vi, method]: [number[], number[], Tau2Method]): Promise<Outcome> {
  const base = outcome(() => fitRma(yi, vi, { method }), fitProblem);
  if (!('ok' in base) || !base.ok) return base;
  const a = {
    measure: 'GEN',
    method,
    test: 'z',
    level: 95,
    piType: 'default',
    inputRows: [],
    effects: null,
    studies: { labels: yi.map((_, i) => `S${i}`) },
    model: { kind: 'rma', fit: fitRma(yi, vi, { method }) },
  } as never;
  const bias = outcome(
    () => publicationBias(a, { egger: true, begg: true, trimfill: true, failsafe: true }),
    (b) => {
      if (b.egger && !(Number.isFinite(b.egger.statistic) || Math.abs(b.egger.statistic) === Infinity))
        return 'egger NaN';
      if (b.begg && (Number.isNaN(b.begg.tau) || Number.isNaN(b.begg.pValue))) return 'begg NaN';
      if (b.trimfill && fitProblem(b.trimfill.fit) !== null) return `trimfill ${fitProblem(b.trimfill.fit)}`;
      if (b.failsafe && !Number.isFinite(b.failsafe.fsn)) return 'failsafe NaN';
      return null;
    },
  );
  if ('failure' in bias) return bias;
  try {
    const s = await sensitivityAnalyses(a, { leaveOneOut: true, influence: true, baujat: true, cumulative: true });
    for (const arr of [s.leaveOneOut?.estimate, s.cumulative?.estimate, s.influence?.hat])
      if (arr && !Array.from(arr).every(finite)) return { failure: 'sensitivity NaN' };
    return { ok: true };
  } catch (e) {
    if (e instanceof EvsynthError) return { ok: false, code: e.code };
    return { failure: `sensitivity threw ${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** fitBatch with arbitrary arguments. */
export const fitBatchArgs = fc.tuple(fitRmaArgs, fc.oneof(fc.integer({ min: 1, max: 4 }), fc.double()));
export function checkFitBatch([[[yi, vi], options], k]: [FitArgs, number]): Outcome {
  return outcome(
    () => fitBatch(yi as number[], vi as number[], k, options as never),
    (b) =>
      Array.from(b.estimate).every(finite) && Array.from(b.se).every(finite) && Array.from(b.tau2).every(finite)
        ? null
        : 'non-finite batch result',
  );
}

/** CSV text built from pieces that trouble parsers: delimiters, quotes, line breaks, numbers, junk, NULs, bidi. */
const csvPiece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ',',
      ';',
      '\t',
      '"',
      '""',
      '\n',
      '\r\n',
      ' ',
      'NA',
      '.',
      '0,5',
      '1e3',
      '-',
      '\0',
      '\u202E',
      '研',
      'yi',
      'vi',
      'study',
    ),
  },
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }).map(String) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
);
export const csvText = fc.oneof(
  fc.array(csvPiece, { maxLength: 60 }).map((a) => a.join('')),
  fc
    .array(
      fc.tuple(
        fc.string({ maxLength: 6 }),
        fc.oneof(fc.double({ min: -3, max: 3 }), fc.double()),
        fc.oneof(
          { weight: 6, arbitrary: fc.double({ min: 1e-3, max: 2, noNaN: true }) },
          { weight: 1, arbitrary: fc.double() },
        ),
      ),
      {
        maxLength: 12,
      },
    )
    .map((rows) => `study,yi,vi\n${rows.map(([s, y, v]) => `${JSON.stringify(s)},${y},${v}`).join('\n')}\n`),
);

/** The CLI's reading and fitting path on arbitrary CSV text: read, columns, analysis (as `evsynth fit`). */
export function checkCsv(text: string): Outcome {
  return outcome(
    () => {
      const t = parseCsv(text, 'fuzz.csv');
      for (const h of t.header) {
        stringColumn(t, h);
        try {
          numericColumn(t, h);
        } catch (e) {
          if (!(e instanceof EvsynthError)) throw e;
        }
      }
      return overallOf(analyzeTable(t, {}).result);
    },
    (a) => (a.model.kind === 'rma' ? fitProblem(a.model.fit) : null),
  );
}
