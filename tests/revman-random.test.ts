/**
 * The revman5 preset's random-effects model for dichotomous data (τ² about the Mantel–Haenszel estimate)
 * against the weights and effects RevMan printed in two Cochrane analyses of the committed subset.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metaAnalysis } from '../src/analysis/meta-analysis.ts';
import { PRESETS } from '../src/analysis/presets.ts';
import { parseExport } from '../src/cochrane/export.ts';

const rowsOf = (review: string, analysis: string) =>
  parseExport(
    readFileSync(fileURLToPath(new URL(`./fixtures/cochrane/${review}.csv`, import.meta.url)), 'utf8'),
    `${review}.csv`,
  ).filter((r) => r.analysis === analysis);

describe('revman5 preset: DerSimonian-Laird about the Mantel-Haenszel estimate', () => {
  it.each([
    ['CD004406_pub6', '1.1', 'OR'],
    ['CD004406_pub6', '2.6', 'OR'],
    ['CD005187_pub6', '1.5', 'RR'],
  ] as const)('%s analysis %s (%s): weights as RevMan printed them', (review, analysis, measure) => {
    const rows = rowsOf(review, analysis).filter((r) => r.printed);
    const col = (f: 'Experimental.cases' | 'Experimental.N' | 'Control.cases' | 'Control.N') =>
      Float64Array.from(rows, (r) => r.n[f] as number);
    const p = PRESETS.revman5;
    const a = metaAnalysis(
      { ai: col('Experimental.cases'), n1i: col('Experimental.N'), ci: col('Control.cases'), n2i: col('Control.N') },
      rows.map((r) => r.study),
      { measure, method: p.method, convention: p.convention, tau2From: p.tau2From },
    );
    const fit = a.model.kind === 'rma' ? a.model.fit : null;
    expect(fit).not.toBeNull();
    rows.forEach((r, i) => {
      expect(Math.abs(fit!.weights[i]! - r.weight!), `${r.study} weight`).toBeLessThanOrEqual(0.01);
      expect(Math.abs(Math.exp(fit!.yi[i]!) - r.printed!.mean), `${r.study} effect`).toBeLessThanOrEqual(
        5e-7 + 1e-9 * r.printed!.mean,
      );
    });
  });
  it('differs from the inverse-variance DL weights when the MH and IV estimates differ', () => {
    const rows = rowsOf('CD004406_pub6', '1.1').filter((r) => r.printed);
    const col = (f: 'Experimental.cases' | 'Experimental.N' | 'Control.cases' | 'Control.N') =>
      Float64Array.from(rows, (r) => r.n[f] as number);
    const cols = {
      ai: col('Experimental.cases'),
      n1i: col('Experimental.N'),
      ci: col('Control.cases'),
      n2i: col('Control.N'),
    };
    const mh = metaAnalysis(
      cols,
      rows.map((r) => r.study),
      { measure: 'OR', method: 'DL', tau2From: 'mantel-haenszel' },
    );
    const iv = metaAnalysis(
      cols,
      rows.map((r) => r.study),
      { measure: 'OR', method: 'DL' },
    );
    expect(mh.model.kind === 'rma' && iv.model.kind === 'rma' && mh.model.fit.tau2 !== iv.model.fit.tau2).toBe(true);
  });
});
