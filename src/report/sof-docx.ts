/**
 * The Summary of Findings table as a Word document (guideline panels edit in Word), written with the `docx`
 * package: title, the question, the table with footnote numbers, the footnotes, and per outcome the suggested
 * ratings beside the panel's judgements. The same cells as the Markdown and HTML tables (report/sof-text.ts).
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  PageOrientation,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { SummaryOfFindings } from '../grade/summary-of-findings.ts';
import { JUDGEMENT_HEADER, judgementRows, sofCells, SOF_HEADER } from './sof-text.ts';

const border = { style: BorderStyle.SINGLE, size: 4, color: '999999' };
const borders = { top: border, bottom: border, left: border, right: border };

function cell(lines: readonly string[], header = false, sup?: string): TableCell {
  return new TableCell({
    borders,
    ...(header ? { shading: { type: ShadingType.CLEAR, fill: 'E8EEF4', color: 'auto' } } : {}),
    children: lines.map(
      (l, i) =>
        new Paragraph({
          children: [
            new TextRun({ text: l, bold: header, size: 18 }),
            ...(sup && i === lines.length - 1 ? [new TextRun({ text: sup, superScript: true, size: 16 })] : []),
          ],
        }),
    ),
  });
}

function table(
  header: readonly string[],
  rows: readonly { cells: readonly (readonly string[])[]; sup?: string; supAt?: number }[],
) {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h) => cell([h], true)) }),
      ...rows.map(
        (r) =>
          new TableRow({
            children: r.cells.map((c, j) => cell(c, false, j === r.supAt ? r.sup : undefined)),
          }),
      ),
    ],
  });
}

/** The .docx bytes of the table. */
export async function sofDocx(sof: SummaryOfFindings): Promise<Buffer> {
  let n = 1;
  const rows = sof.outcomes.map((o) => {
    const { cells, notes } = sofCells(o, n);
    n += notes.length;
    return { cells, sup: notes.join(','), supAt: 5, o, first: notes[0] ?? n };
  });
  const q = sof.question;
  const para = (text: string, opts: { bold?: boolean; size?: number; italics?: boolean } = {}) =>
    new Paragraph({
      children: [
        new TextRun({ text, size: opts.size ?? 20, bold: opts.bold ?? false, italics: opts.italics ?? false }),
      ],
    });
  const doc = new Document({
    creator: 'evsynth',
    title: sof.title,
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun({ text: sof.title })] }),
          para(`Population: ${q.population}`),
          para(`Intervention: ${q.intervention}`),
          para(`Comparison: ${q.comparison}`),
          ...(q.setting ? [para(`Setting: ${q.setting}`)] : []),
          para(`Judgements by: ${sof.panel}`, { italics: true }),
          table(SOF_HEADER, rows),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: 'Footnotes' })] }),
          ...rows.flatMap((r) => r.o.footnotes.map((f, i) => para(`${r.first + i}. (${r.o.name}) ${f}`, { size: 16 }))),
          para(
            'GRADE certainty: High: very confident that the true effect lies close to the estimate. Moderate: the true effect is likely to be close to the estimate, but may be substantially different. Low: the true effect may be substantially different. Very low: the true effect is likely to be substantially different (GRADE Handbook, Table 5.1).',
            { size: 16 },
          ),
          ...sof.outcomes.flatMap((o) => [
            new Paragraph({
              heading: HeadingLevel.HEADING_2,
              children: [new TextRun({ text: `${o.name}: suggested ratings and the panel's judgements` })],
            }),
            para(`Certainty: ${o.certaintyText} (${o.certaintyBasis}).`),
            table(
              JUDGEMENT_HEADER,
              judgementRows(o).map((r) => ({ cells: r.map((c) => [c]) })),
            ),
          ]),
          ...(sof.references.length
            ? [
                new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: 'References' })] }),
                ...sof.references.map((r) => para(r, { size: 16 })),
              ]
            : []),
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            children: [new TextRun({ text: 'Made with evsynth', size: 14, italics: true })],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
