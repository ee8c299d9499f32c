/**
 * Fuzzing (issue 14), sized for npm test: a few hundred generated inputs per entry point. The same
 * properties run over 10⁵ inputs in scripts/fuzz.ts (figures in docs/robustness.md). A hang fails the
 * test by its timeout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCsv,
  checkDiagnostics,
  checkFitBatch,
  checkFitRma,
  csvText,
  diagnosticArgs,
  fitBatchArgs,
  fitRmaArgs,
  type Outcome,
} from './fuzz-properties.ts';

const noFailure = (o: Outcome) => {
  expect('failure' in o ? o.failure : null).toBeNull();
};

describe('fuzz: only EvsynthErrors, and no NaN in a success', () => {
  it('fitRma', () => {
    fc.assert(
      fc.property(fitRmaArgs, (a) => noFailure(checkFitRma(a as never))),
      { numRuns: 400, seed: 14 },
    );
  });
  it('fitBatch', () => {
    fc.assert(
      fc.property(fitBatchArgs, (a) => noFailure(checkFitBatch(a as never))),
      { numRuns: 200, seed: 14 },
    );
  });
  it('the CSV reader and the fit of what it read (the CLI path)', () => {
    fc.assert(
      fc.property(csvText, (t) => noFailure(checkCsv(t))),
      { numRuns: 400, seed: 14 },
    );
  });
  it('publication-bias and sensitivity analyses', async () => {
    await fc.assert(
      fc.asyncProperty(diagnosticArgs, async (a) => noFailure(await checkDiagnostics(a))),
      { numRuns: 60, seed: 14 },
    );
  });
});
