/**
 * Regenerates the worked example's outputs in examples/out/ (committed): the SoF table in every format, the
 * HTML report, and (where Debian's Chromium is installed) a screenshot of the SoF table for the README.
 *   npx tsx scripts/examples/write-example.ts
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readGradeSpec } from '../../src/grade/spec.ts';
import { summaryOfFindings } from '../../src/grade/summary-of-findings.ts';
import { htmlReport } from '../../src/report/html-report.ts';
import { sofDocx } from '../../src/report/sof-docx.ts';
import { formatSofCsv, formatSofHtml, formatSofMarkdown } from '../../src/report/sof-text.ts';
import { toJson } from '../../src/cli/json.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const spec = readGradeSpec(root('examples/exercise-chronic-lbp.grade.json'));
const out = root('examples/out/');
mkdirSync(out, { recursive: true });
const { sof } = summaryOfFindings(spec);
const files: [string, string | Buffer][] = [
  ['sof.md', formatSofMarkdown(sof)],
  ['sof.html', formatSofHtml(sof)],
  ['sof.csv', formatSofCsv(sof)],
  ['sof.json', toJson(sof) + '\n'],
  ['sof.docx', await sofDocx(sof)],
  ['report.html', await htmlReport(spec)],
];
for (const [name, content] of files) {
  writeFileSync(out + name, content);
  process.stdout.write(`wrote examples/out/${name}\n`);
}
const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`file://${out}report.html`);
  await page.locator('table.sof').screenshot({ path: root('docs/img/sof-table.png') });
  await browser.close();
  process.stdout.write('wrote docs/img/sof-table.png\n');
}
