/**
 * The web explorer's speed in headless Chromium (npm run bench:web, after npm run build:web): the first load
 * of the built app from a local server (navigation to the pooled estimate on screen), and the refit and redraw
 * after a study is switched off, as the page measures it with performance.now (fit, summaries, forest rows,
 * layout and SVG, style and layout of the page), for the flagship dataset (k = 52, six subgroups) and for
 * simulated yi/vi tables of k = 100 and k = 1,000 (seeded; a benchmark input, not data). Prints medians of 15
 * toggles as a Markdown table. Needs /usr/bin/chromium.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/index.ts';
import { launchChromium } from '../tests/support/chromium.ts';
import { serve } from '../tests/e2e/static-server.ts';

const dist = fileURLToPath(new URL('../web/dist/', import.meta.url));
const { server, url } = await serve(dist);
const browser = await launchChromium({ width: 1280, height: 800 });
const page = browser.pages()[0] ?? (await browser.newPage());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await page.goto(`${url}?run=${i}`);
  await page.getByTestId('estimate').waitFor();
  loads.push(performance.now() - t0);
  await page.evaluate('localStorage.clear()');
}

async function toggles(): Promise<{ total: number; fit: number }> {
  const totals: number[] = [];
  const fits: number[] = [];
  for (let i = 0; i < 16; i++) {
    const box = page.getByTestId(`toggle-${i % 4}`);
    const before = await page.getByTestId('timing').getAttribute('data-steps');
    await box.click();
    await page.waitForFunction(
      `document.querySelector('[data-testid=timing]')?.getAttribute('data-steps') !== ${JSON.stringify(before)}`,
    );
    const steps = JSON.parse((await page.getByTestId('timing').getAttribute('data-steps')) ?? '{}') as Record<
      string,
      number
    >;
    if (i > 0) {
      totals.push(steps['total'] ?? Number.NaN);
      fits.push(steps['fit'] ?? Number.NaN);
    }
  }
  return { total: median(totals), fit: median(fits) };
}

const rows: string[] = [];
const flagship = await toggles();
rows.push(
  `| knee-oa-exercise-pain (k = 52, 6 subgroups, DL) | ${flagship.fit.toFixed(1)} ms | ${flagship.total.toFixed(1)} ms |`,
);
const dir = mkdtempSync(join(tmpdir(), 'evsynth-bench-web-'));
const rng = new Random(20261201);
for (const k of [100, 1000]) {
  const lines = ['study,yi,vi'];
  for (let i = 0; i < k; i++)
    lines.push(`Study ${i + 1},${(rng.normal() * 0.3 - 0.2).toFixed(4)},${(0.01 + 0.1 * rng.next()).toFixed(4)}`);
  const file = join(dir, `sim${k}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await page.setInputFiles('#file', file);
  await page.waitForFunction(`document.querySelectorAll('[data-testid^=toggle-]').length === ${k}`);
  const r = await toggles();
  rows.push(
    `| simulated yi/vi (k = ${k.toLocaleString('en-US')}, REML) | ${r.fit.toFixed(1)} ms | ${r.total.toFixed(1)} ms |`,
  );
}
console.log(
  `First load of the built app from a local server (to the pooled estimate on screen): median ${median(loads).toFixed(0)} ms of 5\n`,
);
console.log("| after switching a study off | fit | refit and redraw (the page's own timing) |");
console.log('| --- | --- | --- |');
for (const r of rows) console.log(r);
await browser.close();
server.close();
