/**
 * vitest setup for every property test (fast-check): each `fc.assert` runs on a fresh random seed (they
 * find real bugs), but a failing one must be reported in seconds, not after minutes of shrinking. The
 * global plugin interrupts any `fc.assert` after PROPERTY_TIME_LIMIT_MS and, with `failOnInterrupt`, reports
 * the interruption as a failure, with the counterexample shrunk so far, the seed and the path (pass them as
 * `{ seed, path }` to `fc.assert` to replay it). The passing properties take well under a second each.
 */
import fc from 'fast-check';

const PROPERTY_TIME_LIMIT_MS = 15_000;

fc.installGlobalPlugin(fc.interruptAfterTimeLimit(PROPERTY_TIME_LIMIT_MS, { failOnInterrupt: true }));
