/**
 * Ordinary meta-analyses at extreme scales (issue 14): k = 2 … 12 estimates in [−3, 3] and variances in
 * [1e-3, 1] (with `--wide`, a quarter of them from [1e-12, 1e6] instead), multiplied by 2ˢ and 4ˢ for
 * s in −500 … 500, fitted with every τ² estimator. Counts errors, fits flagged as not converged (per
 * estimator) and non-finite values (b, its SE, τ², I², H², Q_E, and the SE of τ² for the random-effects
 * estimators). Figures in docs/robustness.md.
 *   npx tsx scripts/fuzz-scales.ts [--wide] [analyses, default 2000] [seed, default 3]
 */
import fc from 'fast-check';
import { EvsynthError } from '../src/core/errors.ts';
import { fitRma } from '../src/models/rma.ts';
import { TAU2_METHODS, TAU2_REGISTRY } from '../src/models/tau2/index.ts';

const args = process.argv.slice(2);
const wide = args.includes('--wide');
const [runs = 2000, seed = 3] = args.filter((a) => a !== '--wide').map(Number);
const variance = wide
  ? fc.oneof(
      { weight: 3, arbitrary: fc.double({ min: 1e-3, max: 1, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: 1e-12, max: 1e6, noNaN: true }) },
    )
  : fc.double({ min: 1e-3, max: 1, noNaN: true });
const analyses = fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: -500, max: 500 })).chain(([k, s]) =>
  fc.tuple(
    fc
      .array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: k, maxLength: k })
      .map((a) => a.map((y) => y * 2 ** s)),
    fc.array(variance, { minLength: k, maxLength: k }).map((a) => a.map((v) => v * 4 ** s)),
  ),
);

const count = (m: Record<string, number>, key: string) => (m[key] = (m[key] ?? 0) + 1);
const errors: Record<string, number> = {},
  flagged: Record<string, number> = {},
  nonFinite: Record<string, number> = {};
let fits = 0;
for (const [yi, vi] of fc.sample(analyses, { numRuns: runs, seed })) {
  for (const method of TAU2_METHODS) {
    fits++;
    try {
      const f = fitRma(yi, vi, { method });
      const c = f.coefficients[0]!;
      if (!f.converged) count(flagged, method);
      const values = [c.estimate, c.se, f.tau2, f.I2, f.H2, f.QE];
      if (!TAU2_REGISTRY[method].common && f.k > 1) values.push(f.tau2SE);
      if (!values.every(Number.isFinite)) count(nonFinite, method);
    } catch (e) {
      count(errors, e instanceof EvsynthError ? e.code : 'not an EvsynthError');
    }
  }
}
console.log(
  `${fits} fits (${runs} analyses${wide ? ', wide variances' : ''}, seed ${seed}): errors ${JSON.stringify(errors)}, ` +
    `flagged not converged ${JSON.stringify(flagged)}, non-finite values ${JSON.stringify(nonFinite)}`,
);
