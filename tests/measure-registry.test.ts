/** The measure registry's declarations and the input checks every family shares. */
import { describe, expect, it } from 'vitest';
import { EvsynthError } from '../src/core/errors.ts';
import { escalc } from '../src/effects/escalc.ts';
import type { EffectColumns } from '../src/effects/options.ts';
import { MEASURES, measureSpec, measuresForColumns, measureVtypes, type Measure } from '../src/effects/registry.ts';

const f = (xs: number[]) => Float64Array.from(xs);

describe('measure registry', () => {
  it('declares every measure with a reference, a description, inputs and LS among its vtypes', () => {
    for (const m of MEASURES) {
      const s = measureSpec(m);
      expect(s.reference.length, m).toBeGreaterThan(10);
      expect(s.description.length, m).toBeGreaterThan(3);
      expect(s.inputs.length, m).toBeGreaterThan(0);
      expect(measureVtypes(m), m).toContain('LS');
    }
  });

  it('back-transforms to the familiar scale', () => {
    const zcor = measureSpec('ZCOR').backTransform;
    expect(zcor?.f(Math.atanh(0.3))).toBeCloseTo(0.3, 15);
    expect(measureSpec('PLO').backTransform?.f(Math.log(0.25 / 0.75))).toBeCloseTo(0.25, 15);
    expect(measureSpec('ABT').backTransform?.f(-Math.log(1 - 0.8))).toBeCloseTo(0.8, 15);
    expect(measureSpec('AHW').backTransform?.f(1 - (1 - 0.8) ** (1 / 3))).toBeCloseTo(0.8, 14);
  });

  it("guesses a table's measure from its main input set before alternative ones", () => {
    const cols = new Set(['ai', 'bi', 'ci', 'di', 'n1i', 'n2i']);
    const guess = measuresForColumns((c) => cols.has(c));
    expect(guess[0]).toBe('OR');
    expect(guess.indexOf('SMD')).toBeGreaterThan(guess.indexOf('RR'));
    const d = new Set(['n1i', 'n2i', 'di']);
    expect(measuresForColumns((c) => d.has(c))).toEqual(['SMD']);
    const paired = new Set(['m1i', 'm2i', 'sd1i', 'sd2i', 'ni', 'ri']);
    expect(measuresForColumns((c) => paired.has(c))[0]).toBe('SMCR');
  });

  it('rejects a vtype the measure does not have, naming its choices', () => {
    const cols = { ri: f([0.3]), ni: f([20]) };
    expect(() => escalc('ZCOR', cols, ['a'], { vtype: 'UB' })).toThrow(/does not apply to ZCOR; expected LS/);
    expect(() => escalc('COR', cols, ['a'], { vtype: 'UB' })).toThrow(/expected one of LS, AV/);
    expect(escalc('UCOR', cols, ['a'], { vtype: 'UB' }).vi[0]).toBeGreaterThan(0);
  });
});

describe('invalid input is an error naming the row and column', () => {
  const cases: [Measure, EffectColumns, string][] = [
    ['MN', { mi: f([1, 2]), sdi: f([1, -1]), ni: f([10, 10]) }, 'sdi'],
    ['SMCR', { m1i: f([1, 2]), m2i: f([0, 1]), sd1i: f([1, 1]), ni: f([10, 10]), ri: f([0.5, 1.5]) }, 'ri'],
    ['VR', { n1i: f([5, 0]), sd1i: f([1, 1]), n2i: f([5, 5]), sd2i: f([1, 1]) }, 'n1i'],
    ['UCOR', { ri: f([0.2, -1.2]), ni: f([10, 10]) }, 'ri'],
    ['ARAW', { ai: f([0.8, 1.2]), mi: f([5, 5]), ni: f([50, 50]) }, 'ai'],
    ['PHI', { ai: f([1, -1]), bi: f([2, 2]), ci: f([3, 3]), di: f([4, 4]) }, 'ai'],
    ['IRD', { x1i: f([1, 2]), t1i: f([10, 0]), x2i: f([1, 1]), t2i: f([10, 10]) }, 't1i'],
    ['SPCOR', { ti: f([2, 2]), ni: f([50, 50]), mi: f([3, 3]), r2i: f([0.2, 1.5]) }, 'r2i'],
    ['PCOR', { ti: f([2, 2]), ni: f([50, 4]), mi: f([3, 3]) }, 'ni'],
    ['CVLN', { mi: f([2, -1]), sdi: f([1, 1]), ni: f([10, 10]) }, 'mi'],
    ['REH', { ai: f([10, 10]), bi: f([5, -5]), ci: f([3, 3]) }, 'bi'],
  ];
  it.each(cases)('%s', (measure, cols, column) => {
    let err: unknown;
    try {
      escalc(measure, cols, ['a', 'b']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvsynthError);
    expect((err as EvsynthError).location).toMatchObject({ row: 1, column });
  });
});
