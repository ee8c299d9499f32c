/**
 * End-to-end: the worked example's HTML report (`evsynth report`, committed as examples/out/report.html, and a
 * fresh one) in headless Debian Chromium: it renders (the SoF table, the inline SVG plots), makes no network
 * request (every request is recorded; only the file itself may load), prints on A4 with a page per outcome,
 * and its numbers equal the engine's (the knee-OA outcome refitted here with metaAnalysis directly).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaAnalysis, pooledEstimate } from '../../src/analysis/meta-analysis.ts';
import { resolveAnalysisOptions } from '../../src/analysis/request.ts';
import { effectColumnsFromTable } from '../../src/effects/from-table.ts';
import { readGradeSpec } from '../../src/grade/spec.ts';
import { studyLabels } from '../../src/io/csv.ts';
import { loadDataset } from '../../src/evidence/datasets.ts';
import { htmlReport } from '../../src/report/html-report.ts';
import { formatNumber } from '../../src/core/format.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env['CI']) throw new Error(`end-to-end test needs ${CHROMIUM}`);

const example = fileURLToPath(new URL('../../examples/exercise-chronic-lbp.grade.json', import.meta.url));
const committed = fileURLToPath(new URL('../../examples/out/report.html', import.meta.url));

describe.skipIf(!available)('the HTML report in headless Chromium', () => {
  let browser: Browser, page: Page;
  const requests: string[] = [];
  let fresh: string;
  beforeAll(async () => {
    fresh = join(mkdtempSync(join(tmpdir(), 'evsynth-report-')), 'report.html');
    writeFileSync(fresh, await htmlReport(readGradeSpec(example)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const [which, file] of [
    ['a fresh report', () => fresh],
    ['the committed examples/out/report.html', () => committed],
  ] as const) {
    it(`${which}: renders its SoF table and plots and makes no network request`, async () => {
      requests.length = 0;
      await page.goto(`file://${file()}`);
      expect(await page.locator('table.sof tbody tr').count()).toBe(3);
      const svgs = page.locator('.figure svg');
      expect(await svgs.count()).toBeGreaterThanOrEqual(2);
      const box = await svgs.first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(300);
      expect(requests).toEqual([`file://${file()}`]);
    }, 60_000);

    it(`${which}: its numbers equal the engine's`, async () => {
      await page.goto(`file://${file()}`);
      // the knee-OA outcome, refitted here with the spec's request (preset revman5)
      const ds = loadDataset('knee-oa-exercise-pain');
      const t = ds.table!;
      const options = resolveAnalysisOptions({ preset: 'revman5', piType: 'riley' }, { measure: 'SMD', table: t });
      const e = pooledEstimate(metaAnalysis(effectColumnsFromTable(t), studyLabels(t), options));
      const section = page.locator('section[data-outcome="knee-oa-pain"]');
      expect(Number(await section.getAttribute('data-estimate'))).toBeCloseTo(e.estimate, 12);
      expect(Number(await section.getAttribute('data-ci-lower'))).toBeCloseTo(e.ciLower, 12);
      const row = await page.locator('table.sof tr[data-outcome="knee-oa-pain"]').textContent();
      const lower = (x: number) => `${formatNumber(-x, 2)}`;
      expect(row).toContain(
        `SMD ${lower(e.estimate)} SD lower (${lower(e.ciLower)} lower to ${lower(e.ciUpper)} lower)`,
      );
      // the published claim is shown as printed
      const pain = await page.locator('table.sof tr[data-outcome="pain"]').textContent();
      expect(pain).toContain('SMD 0.32 SD lower (0.44 lower to 0.19 lower)');
      expect(pain).toContain('published result, not recomputed');
    }, 60_000);
  }

  it('prints on A4 with each outcome on its own pages', async () => {
    await page.goto(`file://${fresh}`);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(5); // the SoF table, three outcomes, the methods
    await page.emulateMedia({ media: 'print' });
    // evaluated in the page (a string, so that the test needs no DOM types)
    const breaks = (await page.evaluate(
      "[...document.querySelectorAll('section.outcome, section.methods')].map((s) => getComputedStyle(s).breakBefore)",
    )) as string[];
    await page.emulateMedia({ media: 'screen' });
    expect(breaks).toEqual(['page', 'page', 'page', 'page']);
  }, 60_000);
});
