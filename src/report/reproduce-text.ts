import type { ClaimCheck, DatasetReproduction } from '../analysis/reproduce.ts';
import { alignTable, formatNumber } from './format.ts';

/** Published numbers with their printed decimals; recomputed ones with two more. */
const fmtVal = (v: ClaimCheck['published'], d: number): string =>
  v === null
    ? '—'
    : Array.isArray(v)
      ? `${formatNumber(v[0] as number, d)} to ${formatNumber(v[1] as number, d)}`
      : formatNumber(v as number, d);
const fmtDiff = (d: number | null): string => (d === null ? '' : d === 0 ? '0' : d.toExponential(1));

/** The reproduce table of one dataset: pooled claims in full, per-study claims summarised (all with `all`). */
export function formatReproduction(r: DatasetReproduction, all = false): string {
  const out: string[] = [];
  out.push(`== ${r.dataset}: ${r.title}`);
  if (r.rowsStatus === 'none') {
    out.push(`   rows: none. ${r.missing ?? ''}`, `   transcription template: ${r.template ?? '—'}`);
  } else {
    out.push(`   rows: ${r.k} (${r.rowsStatus})${r.missing ? `. ${r.missing}` : ''}`, `   model: ${r.model}`);
  }
  const pooled = r.checks.filter((c) => c.kind === 'pooled');
  const studies = r.checks.filter((c) => c.kind !== 'pooled');
  if (pooled.length === 0 && studies.length === 0) out.push('   no published claims recorded');
  if (pooled.length > 0) {
    const rows = [
      ['claim', 'published', 'recomputed', 'difference', 'verdict'],
      ...pooled.map((c) => [
        c.claim,
        fmtVal(c.published, c.decimals),
        fmtVal(c.recomputed, c.decimals + 2),
        fmtDiff(c.difference),
        c.verdict,
      ]),
    ];
    out.push(...alignTable(rows, [0, 4]).map((l) => `   ${l}`));
    for (const c of pooled) out.push(`     ${c.claim}: ${c.detail}`);
  }
  if (studies.length > 0) {
    for (const kind of ['study-effect', 'study-ci', 'study-weight'] as const) {
      const cs = studies.filter((c) => c.kind === kind);
      if (cs.length === 0) continue;
      const ok = cs.filter((c) => c.verdict === 'reproduced').length;
      const maxDiff = Math.max(...cs.map((c) => c.difference ?? 0));
      const tol = cs[0]?.tolerance ?? 0;
      const name =
        kind === 'study-effect' ? 'per-study effects' : kind === 'study-ci' ? 'per-study 95% CIs' : 'per-study weights';
      out.push(
        `   ${name}: ${ok}/${cs.length} reproduced to the printed precision (max |difference| ${fmtDiff(maxDiff)}, tolerance ${fmtDiff(tol)})`,
      );
    }
    const shown = all ? studies : studies.filter((c) => c.verdict !== 'reproduced');
    if (shown.length > 0) {
      const rows = [
        ['claim', 'published', 'recomputed', 'difference', 'verdict'],
        ...shown.map((c) => [
          c.claim,
          fmtVal(c.published, c.decimals),
          fmtVal(c.recomputed, c.decimals + 2),
          fmtDiff(c.difference),
          c.verdict + (c.detail ? ` (${c.detail})` : ''),
        ]),
      ];
      out.push(...alignTable(rows, [0, 4]).map((l) => `     ${l}`));
    }
  }
  return out.join('\n') + '\n';
}

/** One line per verdict over all datasets. */
export function formatReproductionTotals(rs: readonly DatasetReproduction[]): string {
  const total = { reproduced: 0, differs: 0, 'no study rows': 0, inconsistent: 0 };
  for (const r of rs) for (const [k, v] of Object.entries(r.counts)) total[k as keyof typeof total] += v;
  return `Claims over ${rs.length} datasets: ${total.reproduced} reproduced, ${total.differs} differ, ${total['no study rows']} without study rows, ${total.inconsistent} inconsistent\n`;
}
