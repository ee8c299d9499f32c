/**
 * metafor escalc golden cases for every measure beyond the core ones (scripts/golden/gen-escalc.R →
 * tests/fixtures/golden-escalc.json): random and edge-case inputs under every vtype and zero-cell option.
 * Closed forms are compared at relative 1e-10 (absolute 1e-12 near 0); NA must be NA. The tetrachoric
 * correlation is compared with a double-precision reference computed in R from its definition at 1e-10,
 * and with metafor's optimiser estimate at its tolerance (see RTET_METAFOR_TOL).
 */
import { describe, expect, it } from 'vitest';
import { EvsynthError } from '../src/core/errors.ts';
import { escalc } from '../src/effects/escalc.ts';
import { EFFECT_COLUMNS, type EffectColumns, type EffectOptions } from '../src/effects/options.ts';
import { MEASURES, type Measure } from '../src/effects/registry.ts';
import { labels, loadCases, num, type OracleCase } from './oracle.ts';
import { expectAllClose } from './support.ts';

const all = loadCases('golden-escalc.json');
/**
 * metafor maximises RTET's likelihood numerically and takes the variance from a numerical Hessian: its
 * estimates agree with the exact ML to about 1e-4 relative (the variance near |ρ| = 1 only to 1e-5 absolute).
 */
const RTET_METAFOR_REL = 1e-3,
  RTET_METAFOR_ABS = 1e-5;

function columns(c: OracleCase): EffectColumns {
  const cols: Record<string, Float64Array> = {};
  for (const n of EFFECT_COLUMNS) {
    const v = num(c, n);
    if (v) cols[n] = v;
  }
  return cols as EffectColumns;
}

function options(c: OracleCase): EffectOptions {
  const a = c.args as unknown as EffectOptions;
  return {
    ...(a.add !== undefined ? { add: a.add } : {}),
    ...(a.to !== undefined ? { to: a.to } : {}),
    ...(a.drop00 !== undefined ? { drop00: a.drop00 } : {}),
    ...(a.vtype !== undefined ? { vtype: a.vtype } : {}),
  };
}

const run = (c: OracleCase) => escalc((c.args as { measure: Measure }).measure, columns(c), labels(c), options(c));

/**
 * metafor computes yi and vi separately, so a row can have one without the other (a missing mean leaves
 * an SMD's AV variance, a double-zero under drop00 leaves IRSD's variance). A study needs both, so evsynth
 * excludes such a row (with its reason): where metafor has NA in either, both must be NA here.
 */
function rowwiseNA(e: { yi: (number | null)[]; vi: (number | null)[] }) {
  const na = e.yi.map((y, i) => y === null || e.vi[i] === null);
  return { yi: e.yi.map((y, i) => (na[i] ? null : y)), vi: e.vi.map((v, i) => (na[i] ? null : v)), na };
}

describe('golden-escalc: every measure and option value matches metafor 3.8 (relative 1e-10)', () => {
  const cases = all.filter((c) => c.family === 'escalc');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const es = run(c);
    const e = rowwiseNA(c.expected as { yi: (number | null)[]; vi: (number | null)[] });
    expectAllClose(es.yi, e.yi, 1e-10, 1e-12, 'yi');
    expectAllClose(es.vi, e.vi, 1e-10, 1e-12, 'vi');
    // every row without an estimate is listed with its reason; nothing is dropped silently
    e.na.forEach((na, i) => {
      if (na) expect(es.excluded.find((x) => x.row === i)?.reason, `row ${i}`).toBeTruthy();
    });
  });
});

describe('golden-escalc: inputs metafor refuses are errors naming the row and column', () => {
  const cases = all.filter((c) => c.family === 'escalc-error');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    let err: unknown;
    try {
      run(c);
    } catch (e) {
      err = e;
    }
    expect(err, `metafor: ${String(c.expected['error'])}`).toBeInstanceOf(EvsynthError);
    expect((err as EvsynthError).location?.row).toBeTypeOf('number');
    expect((err as EvsynthError).location?.column).toBeTypeOf('string');
  });
});

describe('golden-escalc: tetrachoric correlation', () => {
  const cases = all.filter((c) => c.family === 'escalc-rtet');
  it.each(cases.map((c) => [c.id, c] as const))('%s: exact ML at 1e-10, metafor within its optimiser', (_id, c) => {
    const es = run(c);
    const ref = (c as OracleCase & { reference: { yi: (number | null)[]; vi: (number | null)[] } }).reference;
    expectAllClose(es.yi, ref.yi, 1e-10, 1e-12, 'yi (reference)');
    expectAllClose(es.vi, ref.vi, 1e-10, 1e-12, 'vi (reference)');
    // tables with a zero cell (no correction) have no interior estimate: evsynth excludes them, where
    // metafor reports the boundary ±1 with a variance of its optimiser (or NA)
    const e = c.expected as { yi: (number | null)[]; vi: (number | null)[] };
    const kept = (x: (number | null)[]) => x.map((v, i) => (ref.yi[i] === null ? null : v));
    expectAllClose(es.yi, kept(e.yi), RTET_METAFOR_REL, RTET_METAFOR_ABS, 'yi (metafor)');
    expectAllClose(es.vi, kept(e.vi), RTET_METAFOR_REL, RTET_METAFOR_ABS, 'vi (metafor)');
  });
});

describe('golden-escalc: coverage', () => {
  it('has a case for every measure but the generic one', () => {
    const covered = new Set(all.map((c) => (c.args as { measure: string }).measure));
    const core = [
      'SMD',
      'SMDH',
      'MD',
      'ROM',
      'RR',
      'OR',
      'RD',
      'PETO',
      'ZCOR',
      'COR',
      'PR',
      'PLO',
      'PFT',
      'IRR',
      'IRLN',
      'GEN',
    ];
    for (const m of MEASURES) if (!core.includes(m)) expect(covered.has(m), m).toBe(true);
  });
});
