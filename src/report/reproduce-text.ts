import { VERDICTS, type ClaimCheck, type DatasetReproduction, type Verdict } from '../analysis/reproduce.ts';
import type { ChapterReport } from '../analysis/chapter.ts';
import { alignTable, formatNumber } from '../core/format.ts';

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
  const pooled = r.checks.filter((c) => !c.kind.startsWith('study-'));
  const studies = r.checks.filter((c) => c.kind.startsWith('study-'));
  if (pooled.length === 0 && studies.length === 0) out.push('   no published claims recorded');
  if (pooled.length > 0) {
    const rows = [
      ['claim', 'kind', 'published', 'recomputed', 'difference', 'verdict'],
      ...pooled.map((c) => [
        c.claim,
        c.kind,
        fmtVal(c.published, c.decimals),
        fmtVal(c.recomputed, c.decimals + 2),
        fmtDiff(c.difference),
        c.verdict,
      ]),
    ];
    out.push(...alignTable(rows, [0, 1, 5]).map((l) => `   ${l}`));
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
      const dec = cs[0]?.decimals;
      const printed = studies.find((c) => c.kind === 'study-effect')?.decimals;
      const precision =
        dec === printed || dec === undefined ? 'the printed precision' : `${dec} decimals (see the dataset's notes)`;
      out.push(
        `   ${name}: ${ok}/${cs.length} reproduced to ${precision} (max |difference| ${fmtDiff(maxDiff)}, tolerance ${fmtDiff(tol)})`,
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

const countsText = (t: Readonly<Record<Verdict, number>>) => VERDICTS.map((v) => `${t[v]} ${v}`).join(', ');

/** Totals over all datasets, by kind of check: per-study values, pooled results, counts, findings, statements. */
export function formatReproductionTotals(rs: readonly DatasetReproduction[]): string {
  const all = rs.flatMap((r) => r.checks);
  const groups: [string, (c: ClaimCheck) => boolean][] = [
    ['per-study values (effects, CIs, weights)', (c) => c.kind.startsWith('study-')],
    ['pooled results', (c) => c.kind === 'pooled'],
    ['counts of studies and participants', (c) => c.kind === 'count'],
    ['qualitative findings', (c) => c.kind === 'finding'],
    ['tests for subgroup differences', (c) => c.kind === 'subgroup-difference'],
    ['other statements', (c) => c.kind === 'statement'],
    ['results the source left empty or filled with zeros', (c) => c.kind === 'not-printed'],
  ];
  const lines = [`Claims of ${rs.length} datasets (${all.length} checks):`];
  for (const [name, f] of groups) {
    const cs = all.filter(f);
    if (cs.length === 0) continue;
    const t = Object.fromEntries(VERDICTS.map((v) => [v, cs.filter((c) => c.verdict === v).length])) as Record<
      Verdict,
      number
    >;
    lines.push(`  ${name}: ${cs.length}: ${countsText(t)}`);
  }
  return lines.join('\n') + '\n';
}

/** The chapter at a glance, as text: every statement in order, its sources and the verdict of each claim. */
export function formatChapterReport(r: ChapterReport): string {
  const out: string[] = [`== ${r.title}`, `   ${r.locator}`, ''];
  for (const s of r.statements) {
    const st = s.statement;
    out.push(`[${st.id}] ${st.section}, paragraph ${st.paragraph}: ${s.verdict.toUpperCase()}`);
    out.push(`   "${st.quote}"`, `   (${st.translation})`);
    if (s.sources.length) out.push(`   sources: ${s.sources.join('; ')}`);
    for (const c of s.checks)
      out.push(`   - ${c.claim} [${c.kind}${c.dataset ? `, ${c.dataset}` : ''}]: ${c.verdict}. ${c.detail}`);
    if (st.note) out.push(`   note: ${st.note}`);
    out.push('');
  }
  out.push(
    `${r.statements.length} statements: ${countsText(r.statementCounts as Record<Verdict, number>)}, ${r.statementCounts['partly checkable']} partly checkable`,
    `${Object.values(r.claimCounts).reduce((a, b) => a + b, 0)} claims: ${countsText(r.claimCounts)}`,
    ...Object.entries(r.byKind).map(([k, t]) => `  ${k}: ${countsText(t)}`),
  );
  return out.join('\n') + '\n';
}

/** The chapter at a glance, as a Markdown table (notebooks, docs). */
export function chapterMarkdown(r: ChapterReport): string {
  const esc = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = [
    '| # | section, ¶ | statement (exact wording) | source | claims and verdicts | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of r.statements) {
    const st = s.statement;
    rows.push(
      `| ${st.id} | ${esc(st.section)}, ¶${st.paragraph} | ${esc(st.quote)}<br>*${esc(st.translation)}* | ${esc(s.sources.join('; ') || '—')} | ${s.checks.map((c) => `${esc(c.claim)} (${c.kind}): **${c.verdict}**`).join('<br>')} | **${s.verdict}** |`,
    );
  }
  return rows.join('\n') + '\n';
}
