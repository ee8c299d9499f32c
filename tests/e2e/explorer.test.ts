/**
 * End-to-end: the built explorer (web/dist) in headless Debian Chromium driven by playwright-core.
 * Loads a dataset, toggles a study and checks the pooled estimate against the engine, loads a
 * malformed CSV and checks the error, and saves a screenshot (tests/e2e/explorer.png).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaAnalysis } from '../../src/analysis/meta-analysis.ts';
import { reviewOptions } from '../../src/analysis/reproduce.ts';
import { effectColumnsFromTable } from '../../src/effects/from-table.ts';
import { studyLabels } from '../../src/io/csv.ts';
import { loadDataset } from '../../src/io/datasets.ts';
import { readCsv } from '../../src/io/csv-file.ts';
import { formatNumber } from '../../src/report/format.ts';
import { serve } from './static-server.ts';

const dist = fileURLToPath(new URL('../../web/dist/', import.meta.url));
// .ci/run installs Chromium; on a developer machine without it the test says so instead of passing silently.
const available = chromiumAvailable() && existsSync(join(dist, 'index.html'));
if (!available && process.env['CI']) throw new Error('end-to-end test needs a built web/dist (npm run build:web)');

describe.skipIf(!available)('web explorer in headless Chromium', () => {
  let browser: BrowserContext, page: Page, close: () => void;
  beforeAll(async () => {
    const { server, url } = await serve(dist);
    close = () => server.close();
    browser = await launchChromium();
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.getByTestId('estimate').waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    close?.();
  });

  it("shows the flagship dataset with the engine's pooled estimate, and refits when a study is switched off", async () => {
    const ds = loadDataset('knee-oa-exercise-pain');
    const t = ds.table!;
    const opts = reviewOptions(ds.provenance);
    const full = metaAnalysis(effectColumnsFromTable(t), studyLabels(t), opts);
    const est = (a: typeof full) =>
      formatNumber(a.model.kind === 'rma' ? a.model.fit.coefficients[0]!.estimate : a.model.fit.estimate);
    expect(await page.getByTestId('estimate').textContent()).toBe(est(full));
    await page.getByTestId('toggle-0').uncheck();
    const rows = t.rows.map((_, i) => i).slice(1);
    const sub = { ...t, rows: rows.map((i) => t.rows[i]!), lines: rows.map((i) => t.lines[i]!) };
    const without = metaAnalysis(effectColumnsFromTable(sub), studyLabels(sub), opts);
    await expect.poll(() => page.getByTestId('estimate').textContent()).toBe(est(without));
    expect(est(without)).not.toBe(est(full));
    const ms = Number((await page.getByTestId('timing').textContent())?.match(/([\d.]+) ms/)?.[1]);
    expect(ms).toBeLessThan(100); // generous bound for a loaded CI machine; typical values are a few ms
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: fileURLToPath(new URL('./explorer.png', import.meta.url)), fullPage: false });
  }, 60_000);

  it('opens a local CSV of 2×2 tables (BCG) and pools it as the engine does', async () => {
    await page.setInputFiles('#file', fileURLToPath(new URL('../data/bcg.csv', import.meta.url)));
    const t = readCsv(fileURLToPath(new URL('../data/bcg.csv', import.meta.url)));
    const a = metaAnalysis(effectColumnsFromTable(t), studyLabels(t), { measure: 'OR', method: 'REML' });
    const expected = formatNumber(a.model.kind === 'rma' ? a.model.fit.coefficients[0]!.estimate : Number.NaN);
    await expect.poll(() => page.getByTestId('estimate').textContent()).toBe(expected);
    expect(await page.getByTestId('study-list').locator('li').count()).toBe(13);
  }, 60_000);

  it('reports a malformed CSV with file, line and column', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'evsynth-e2e-')), 'bad.csv');
    writeFileSync(file, 'study,yi,vi\nA,0.1,0.02\nB,<b>x</b>,0.03\n');
    await page.setInputFiles('#file', file);
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toMatch(/bad\.csv, line 3, column 'yi': '<b>x<\/b>' is not a number/);
    // the markup in the cell stays text
    expect(await page.locator('#error b').count()).toBe(0);
  }, 60_000);
});
