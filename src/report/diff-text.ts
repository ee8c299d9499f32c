/** Text and Markdown printouts of an evidence diff (`evsynth update`, `evsynth diff`); no statistics. */
import type { EvidenceDiff, ScopeDiff } from '../analysis/evidence-diff.ts';
import type { PooledSummary } from '../analysis/pooled-summary.ts';
import { alignTable, formatNumber, formatPValue } from '../core/format.ts';

type Table = { header: string[]; rows: string[][] };

function scopeTable(d: EvidenceDiff): Table {
  const t = (x: number | null) => (x === null ? '—' : formatNumber(d.ratio ? Math.exp(x) : x, 2));
  const ci = (s: PooledSummary | null) => (s === null ? '—' : `${t(s.estimate)} (${t(s.ciLower)} to ${t(s.ciUpper)})`);
  const pi = (s: PooledSummary | null) =>
    s === null || s.piLower === null ? '—' : `${t(s.piLower)} to ${t(s.piUpper)}`;
  const n = (s: PooledSummary | null) =>
    s === null ? '—' : `${s.k}${s.participants !== null ? ` (${s.participants.toLocaleString('en-US')})` : ''}`;
  const arrow = (f: (s: PooledSummary | null) => string, sc: ScopeDiff) => {
    const b = f(sc.before),
      a = f(sc.after);
    return b === a ? a : `${b} → ${a}`;
  };
  return {
    header: ['analysis', 'k (participants)', `${d.measure} (95% CI)`, 'prediction interval', 'tau²', 'I²'],
    rows: d.scopes.map((sc) => [
      sc.scope,
      arrow(n, sc),
      arrow(ci, sc),
      arrow(pi, sc),
      arrow((s) => (s === null || s.tau2 === null ? '—' : formatNumber(s.tau2, 3)), sc),
      arrow((s) => (s === null || s.k < 2 ? '—' : `${formatNumber(s.I2, 0)}%`), sc),
    ]),
  };
}

function rowLines(d: EvidenceDiff): string[] {
  const r = d.rows;
  return [
    ...r.added.map((x) => `added: ${x.key} (${x.label})`),
    ...r.removed.map((x) => `removed: ${x.key} (${x.label})`),
    ...r.changed.map(
      (x) =>
        `changed: ${x.key} (${x.label}): ${x.columns.map((c) => `${c.column} '${c.before}' → '${c.after}'`).join(', ')}`,
    ),
  ];
}

function subgroupLine(d: EvidenceDiff): string | null {
  const s = d.subgroupTest;
  if (s === null) return null;
  const f = (t: typeof s.before) =>
    t === null
      ? '—'
      : `Chi² = ${formatNumber(t.Q, 2)}, df = ${t.df}, P = ${formatPValue(t.pValue)}, I² = ${formatNumber(t.I2, 1)}%`;
  return `Test for subgroup differences (${d.by}): ${f(s.before)} → ${f(s.after)}`;
}

function claimLines(d: EvidenceDiff): string[] {
  const c = d.claims;
  if (c === null) return [];
  const counts = (x: Readonly<Record<string, number>>) =>
    Object.entries(x)
      .filter(([, n]) => n > 0)
      .map(([v, n]) => `${n} ${v}`)
      .join(', ');
  const lines = [
    `Published claims re-checked: before ${counts(c.before) || 'none'}; after ${counts(c.after) || 'none'}`,
    ...c.changed.map((x) => `  ${x.claim}: ${x.before} → ${x.after} (${x.detail})`),
  ];
  if (counts(c.studiesBefore) !== '')
    lines.push(
      `Per-study printed values (effects, CIs, weights): before ${counts(c.studiesBefore)}; after ${counts(c.studiesAfter)} (new rows have no printed values, and added rows shift the printed weights)`,
    );
  return lines;
}

function heading(d: EvidenceDiff): string {
  return `${d.before} → ${d.after}: measure ${d.measure}, method ${d.method}${d.by ? `, by ${d.by}` : ''}${d.mid !== null ? `, MID ${d.mid}` : ''}`;
}

/** The diff as plain text. */
export function formatDiffText(d: EvidenceDiff): string {
  const t = scopeTable(d);
  const r = d.rows;
  const out = [
    heading(d),
    `Rows (matched by ${r.basis}): ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged} unchanged`,
    ...rowLines(d).map((l) => `  ${l}`),
    '',
    ...alignTable([t.header, ...t.rows], [0, 1, 2, 3]),
  ];
  const sg = subgroupLine(d);
  if (sg) out.push('', sg);
  out.push(
    '',
    d.flags.length ? 'Conclusions that moved:' : 'No conclusion moved (null, MID, direction, I² band, subgroup test).',
  );
  out.push(...d.flags.map((f) => `  ! ${f.text}`));
  const cl = claimLines(d);
  if (cl.length) out.push('', ...cl);
  return out.join('\n') + '\n';
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

/** The diff as Markdown (for a guideline's change log). */
export function formatDiffMarkdown(d: EvidenceDiff): string {
  const t = scopeTable(d);
  const r = d.rows;
  const out = [
    `## ${mdEscape(heading(d))}`,
    '',
    `Rows, matched by ${r.basis}: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged} unchanged.`,
    '',
    ...rowLines(d).map((l) => `- ${mdEscape(l)}`),
    '',
    `| ${t.header.map(mdEscape).join(' | ')} |`,
    `| ${t.header.map(() => '---').join(' | ')} |`,
    ...t.rows.map((row) => `| ${row.map(mdEscape).join(' | ')} |`),
  ];
  const sg = subgroupLine(d);
  if (sg) out.push('', mdEscape(sg));
  out.push(
    '',
    d.flags.length
      ? '**Conclusions that moved:**'
      : 'No conclusion moved (null, MID, direction, I² band, subgroup test).',
  );
  if (d.flags.length) out.push('', ...d.flags.map((f) => `- **${f.kind}**: ${mdEscape(f.text)}`));
  const cl = claimLines(d);
  if (cl.length) out.push('', ...cl.map((l) => (l.startsWith('  ') ? `- ${mdEscape(l.trim())}` : mdEscape(l))));
  return out.join('\n') + '\n';
}
