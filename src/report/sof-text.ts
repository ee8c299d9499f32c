/**
 * The Summary of Findings table as Markdown, CSV and HTML (a fragment for the report, or a whole
 * self-contained page): the layout of the GRADE Handbook's SoF table (Schünemann et al. 2013, §9) and
 * GRADEpro's, with numbered footnotes and the suggested ratings beside the panel's. No statistics here.
 */
import { DOMAIN_NAMES, GRADE_DOMAINS } from '../grade/certainty.ts';
import type { SofOutcome, SummaryOfFindings } from '../grade/summary-of-findings.ts';

export const SOF_HEADER = [
  'Outcome',
  'Risk with comparator',
  'Risk with intervention',
  'Relative effect (95% CI)',
  '№ of participants (studies)',
  'Certainty of the evidence (GRADE)',
  'Comments',
] as const;

/** The cells of one outcome's row (lines within a cell as an array) and the footnote numbers it cites. */
export function sofCells(o: SofOutcome, firstFootnote: number): { cells: string[][]; notes: number[] } {
  const notes = o.footnotes.map((_, i) => firstFootnote + i);
  const outcome = [
    o.name,
    ...(o.followUp ? [`follow-up: ${o.followUp}`] : []),
    ...(o.importance ? [`(${o.importance})`] : []),
    ...(o.basis === 'published claim' ? ['published result, not recomputed'] : []),
  ];
  const comparator = o.absolute.length
    ? o.absolute.map((a) => `${a.label}: ${a.comparator}`)
    : [o.comparatorText ?? '—'];
  const intervention = o.absolute.length
    ? o.absolute.map((a) => `${a.intervention}; ${a.difference}`)
    : [o.interventionText ?? '—'];
  return {
    cells: [
      outcome,
      comparator,
      intervention,
      [o.relativeText],
      [o.participantsText],
      [o.certaintyText],
      [o.comments ?? ''],
    ],
    notes,
  };
}

const mdCell = (lines: readonly string[]) => lines.map((l) => l.replace(/\|/g, '\\|')).join('<br>');

function question(sof: SummaryOfFindings): string[] {
  const q = sof.question;
  return [
    `**Population:** ${q.population}`,
    `**Intervention:** ${q.intervention}`,
    `**Comparison:** ${q.comparison}`,
    ...(q.setting ? [`**Setting:** ${q.setting}`] : []),
    `**Judgements by:** ${sof.panel}`,
  ];
}

/** Every outcome's footnotes, numbered from 1 across the table. */
function numbered(sof: SummaryOfFindings): { outcome: SofOutcome; first: number }[] {
  let n = 1;
  return sof.outcomes.map((outcome) => {
    const first = n;
    n += outcome.footnotes.length;
    return { outcome, first };
  });
}

/** The suggested ratings beside the panel's judgements, one row per domain. */
export function judgementRows(o: SofOutcome): string[][] {
  return GRADE_DOMAINS.map((d) => {
    const s = o.suggestions.find((x) => x.domain === d);
    const j = o.judgements[d];
    return [DOMAIN_NAMES[d], s?.rating ?? 'no suggestion', s ? `${s.basis}. Rule: ${s.rule}` : '', j.rating, j.reason];
  });
}
export const JUDGEMENT_HEADER = ['Domain', 'Suggested by evsynth', 'Basis and rule', "Panel's judgement", 'Reason'];

export function formatSofMarkdown(sof: SummaryOfFindings): string {
  const rows = numbered(sof);
  const out = [`# ${sof.title}`, '', question(sof).join('  \n'), ''];
  out.push(`| ${SOF_HEADER.join(' | ')} |`, `| ${SOF_HEADER.map(() => '---').join(' | ')} |`);
  for (const { outcome, first } of rows) {
    const { cells, notes } = sofCells(outcome, first);
    const withNotes = cells.map((c, j) => (j === 5 ? [...c, notes.length ? `(notes ${notes.join(', ')})` : ''] : c));
    out.push(`| ${withNotes.map(mdCell).join(' | ')} |`);
  }
  out.push('', '**Footnotes**', '');
  for (const { outcome, first } of rows)
    outcome.footnotes.forEach((f, i) => out.push(`${first + i}. (${outcome.name}) ${f}`));
  out.push(
    '',
    'GRADE certainty: **High**: we are very confident that the true effect lies close to the estimate. **Moderate**: the true effect is likely to be close to the estimate, but may be substantially different. **Low**: the true effect may be substantially different. **Very low**: the true effect is likely to be substantially different (GRADE Handbook, Schünemann et al. 2013, Table 5.1).',
  );
  for (const { outcome } of rows) {
    out.push('', `## ${outcome.name}: suggested ratings and the panel's judgements`, '');
    out.push(`Certainty: ${outcome.certaintyText} (${outcome.certaintyBasis}).`, '');
    out.push(`| ${JUDGEMENT_HEADER.join(' | ')} |`, `| ${JUDGEMENT_HEADER.map(() => '---').join(' | ')} |`);
    for (const r of judgementRows(outcome)) out.push(`| ${r.map((c) => mdCell([c])).join(' | ')} |`);
  }
  if (sof.references.length) out.push('', '**References**', '', ...sof.references.map((r) => `- ${r}`));
  return out.join('\n') + '\n';
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatSofCsv(sof: SummaryOfFindings): string {
  const header = [
    'id',
    'outcome',
    'follow_up',
    'basis',
    'risk_with_comparator',
    'risk_with_intervention',
    'relative_effect',
    'participants_studies',
    'certainty',
    ...GRADE_DOMAINS.flatMap((d) => [`${d}_judgement`, `${d}_reason`, `${d}_suggested`]),
    'footnotes',
  ];
  const lines = [header.join(',')];
  for (const o of sof.outcomes) {
    const { cells } = sofCells(o, 1);
    lines.push(
      [
        o.id,
        o.name,
        o.followUp ?? '',
        o.basis,
        (cells[1] ?? []).join('; '),
        (cells[2] ?? []).join('; '),
        o.relativeText,
        o.participantsText,
        o.certaintyText,
        ...GRADE_DOMAINS.flatMap((d) => [
          o.judgements[d].rating,
          o.judgements[d].reason,
          o.suggestions.find((s) => s.domain === d)?.rating ?? '',
        ]),
        o.footnotes.join(' | '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SoF table (and its footnotes) as an HTML fragment; cells are escaped text. */
export function sofHtmlFragment(sof: SummaryOfFindings): string {
  const rows = numbered(sof);
  const cell = (lines: readonly string[]) => lines.map(escapeHtml).join('<br>');
  const body = rows
    .map(({ outcome, first }) => {
      const { cells, notes } = sofCells(outcome, first);
      return `<tr data-outcome="${escapeHtml(outcome.id)}">${cells
        .map(
          (c, j) =>
            `<td${j === 5 ? ' class="certainty"' : ''}>${cell(c)}${j === 5 && notes.length ? `<sup>${notes.join(',')}</sup>` : ''}</td>`,
        )
        .join('')}</tr>`;
    })
    .join('\n');
  const notes = rows
    .flatMap(({ outcome, first }) =>
      outcome.footnotes.map(
        (f, i) => `<li value="${first + i}"><em>${escapeHtml(outcome.name)}:</em> ${escapeHtml(f)}</li>`,
      ),
    )
    .join('\n');
  const q = sof.question;
  return `<table class="sof">
<caption>${escapeHtml(sof.title)}<br><span class="pico">Population: ${escapeHtml(q.population)} · Intervention: ${escapeHtml(q.intervention)} · Comparison: ${escapeHtml(q.comparison)}${q.setting ? ` · Setting: ${escapeHtml(q.setting)}` : ''}</span></caption>
<thead><tr>${SOF_HEADER.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<ol class="footnotes">
${notes}
</ol>
<p class="grade-legend">GRADE certainty: <b>High</b>: very confident that the true effect lies close to the estimate. <b>Moderate</b>: the true effect is likely to be close to the estimate, but may be substantially different. <b>Low</b>: the true effect may be substantially different. <b>Very low</b>: the true effect is likely to be substantially different (GRADE Handbook, Table 5.1). Judgements by: ${escapeHtml(sof.panel)}.</p>`;
}

/** A judgements table (suggested vs panel) as HTML. */
export function judgementsHtml(o: SofOutcome): string {
  return `<table class="judgements"><thead><tr>${JUDGEMENT_HEADER.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${judgementRows(
    o,
  )
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Shared CSS of the SoF page and the report (inline; no external resources). */
export const SOF_CSS = `
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #222; margin: 2em; }
table { border-collapse: collapse; width: 100%; margin: 0.8em 0; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #e8eef4; }
caption { text-align: left; font-weight: bold; font-size: 12pt; margin-bottom: 4px; }
.pico { font-weight: normal; font-size: 10pt; }
td.certainty { white-space: nowrap; }
ol.footnotes, .grade-legend { font-size: 9pt; }
`;

/** A whole self-contained HTML page of the SoF table (`evsynth sof --format html`). */
export function formatSofHtml(sof: SummaryOfFindings): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(sof.title)}</title><style>${SOF_CSS}</style></head>
<body>
${sofHtmlFragment(sof)}
${sof.outcomes.map((o) => `<h3>${escapeHtml(o.name)}: suggested ratings and the panel's judgements</h3><p>Certainty: ${escapeHtml(o.certaintyText)} (${escapeHtml(o.certaintyBasis)}).</p>${judgementsHtml(o)}`).join('\n')}
</body></html>
`;
}
