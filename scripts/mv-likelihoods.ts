/**
 * Prints the Markdown table of docs/multilevel.md: for each rma.mv golden case, the (restricted) log-likelihood
 * evsynth reaches, metafor's best over several optimisers at tight tolerances (the oracle) and metafor's with its
 * default control, and the largest relative difference of the variance components from the oracle.
 * Usage: npx tsx scripts/mv-likelihoods.ts
 */
import { fitCase, asArray } from '../tests/mv-cases.ts';
import { loadCases } from '../tests/oracle.ts';

const rows = [
  '| case | metafor control | evsynth ℓ | metafor ℓ (oracle) | metafor ℓ (default control) | evsynth − default | largest difference of a component (relative; absolute below 1e-8) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const c of loadCases('golden-mv.json').filter((x) => x.family === 'rma.mv')) {
  const e = c.expected as Record<string, unknown>;
  const fit = fitCase(c);
  let maxRel = 0;
  for (const kind of ['sigma2', 'tau2', 'rho', 'gamma2', 'phi'] as const) {
    const exp = asArray<number>(e[kind]);
    const got =
      kind === 'rho' && fit.structs.some((s) => s.struct === 'ID' || s.struct === 'DIAG')
        ? exp.map(() => 0)
        : fit[kind];
    exp.forEach((x, i) => {
      const g = got[i] as number;
      // relative, or absolute for components at the boundary (|x| < 1e-8)
      maxRel = Math.max(maxRel, Math.abs(x) < 1e-8 ? Math.abs(g - x) : Math.abs(g - x) / Math.abs(x));
    });
  }
  const llDefault = e['ll_default'] as number | null;
  rows.push(
    `| ${c.id} | ${(c as unknown as { control: string }).control.replace(/, iter.max.*$/, '')} | ${fit.fitstats.ll.toFixed(10)} | ${(e['ll'] as number).toFixed(10)} | ${llDefault === null ? 'did not converge' : llDefault.toFixed(10)} | ${llDefault === null ? '' : (fit.fitstats.ll - llDefault).toExponential(1)} | ${maxRel.toExponential(1)} |`,
  );
}
process.stdout.write(rows.join('\n') + '\n');
