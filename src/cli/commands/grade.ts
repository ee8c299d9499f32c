/** `evsynth sof` (the GRADE Summary of Findings table of a spec). */
import { EvsynthError } from '../../core/errors.ts';
import { readGradeSpec } from '../../grade/spec.ts';
import { summaryOfFindings } from '../../grade/summary-of-findings.ts';
import { htmlReport } from '../../report/html-report.ts';
import { sofDocx } from '../../report/sof-docx.ts';
import { formatSofCsv, formatSofHtml, formatSofMarkdown } from '../../report/sof-text.ts';
import { toJson } from '../json.ts';
import { checkOutputPath, writeOutput } from '../output.ts';
import type { SofFormat } from '../options.ts';

function write(out: string, content: string | Uint8Array): void {
  writeOutput(out, content);
  process.stderr.write(`wrote ${out}\n`);
}

export async function runSof(specFile: string, flags: { format: SofFormat; out?: string }): Promise<void> {
  if (flags.out !== undefined) checkOutputPath(flags.out, '--out', [specFile]); // before any work
  const { sof } = summaryOfFindings(readGradeSpec(specFile));
  if (flags.format === 'docx') {
    if (flags.out === undefined)
      throw new EvsynthError('INVALID_ARGUMENT', '--format docx writes a Word file: give --out <file.docx>');
    write(flags.out, await sofDocx(sof));
    return;
  }
  const text =
    flags.format === 'json'
      ? toJson(sof) + '\n'
      : flags.format === 'html'
        ? formatSofHtml(sof)
        : flags.format === 'csv'
          ? formatSofCsv(sof)
          : formatSofMarkdown(sof);
  if (flags.out !== undefined) write(flags.out, text);
  else process.stdout.write(text);
}

/** `evsynth report`: the self-contained HTML report of a spec. */
export async function runReport(specFile: string, flags: { out: string }): Promise<void> {
  checkOutputPath(flags.out, '--out', [specFile]);
  write(flags.out, await htmlReport(readGradeSpec(specFile)));
}
