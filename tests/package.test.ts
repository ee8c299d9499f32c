/**
 * The package as its users get it: `npm pack` (of the dist/ that `npm run build` made), installed into a fresh
 * project, then used from plain JavaScript (ESM and CommonJS `require`), from TypeScript (moduleResolution
 * node16 and bundler, skipLibCheck false), from a Vite browser bundle run in headless Chromium, and through
 * the installed `evsynth` binary. publint and @arethetypeswrong check the package metadata and types.
 * Reference numbers are metafor's (the oracle fixture), never the engine's own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './support/chromium.ts';
import { serve } from './e2e/static-server.ts';
import { loadCases } from './oracle.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const oracle = loadCases('metafor-oracle-public.json').find((c) => c.id === 'rma.uni/bcg_rr-REML-z');
// REML is solved to double precision: compare with metafor at tight convergence (expected_precise), relative 1e-8
const expected = oracle?.expected_precise?.['fit'] as { beta: number[]; tau2: number };
const yi = oracle?.input['yi'] as number[];
const vi = oracle?.input['vi'] as number[];
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b));

let work = '';
let app = '';
let tarball = '';
const run = (cmd: string, args: string[], cwd = app) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '' },
  });

describe('the packed package, installed into a fresh project', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'bin', 'evsynth.js')))
      throw new Error('dist/ is not built: npm test runs `npm run build` first');
    work = mkdtempSync(join(tmpdir(), 'evsynth-pkg-'));
    run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], root);
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const typesNode = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    ).devDependencies['@types/node'] as string;
    run('npm', [
      'install',
      tarball,
      `@types/node@${typesNode}`,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ]);
  }, 240_000);

  it('is lean: at most 1 MB packed, only dist, bin, datasets and the docs files', () => {
    const listing = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)) as {
      size: number;
      files: { path: string }[];
    }[];
    const p = listing[0]!;
    expect(p.size).toBeLessThanOrEqual(1_000_000);
    // the command line ships as its bundle (dist/bin); tsc's modules of it (dist/cli) are reachable from no entry
    expect(p.files.filter((f) => f.path.startsWith('dist/cli/'))).toEqual([]);
    for (const f of p.files) expect(f.path).toMatch(/^(dist\/|bin\/|datasets\/|README\.md$|LICENSE$|package\.json$)/);
    // no TypeScript sources, tests or fixtures, and tsx is not a runtime dependency
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'evsynth', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });

  it('imports from plain JavaScript (ESM), computing metafor numbers', () => {
    writeFileSync(
      join(app, 'esm.mjs'),
      `import { fitRma } from 'evsynth';\nconst f = fitRma(${JSON.stringify(yi)}, ${JSON.stringify(vi)});\nconsole.log(JSON.stringify({ b: f.coefficients[0].estimate, tau2: f.tau2 }));\n`,
    );
    const r = JSON.parse(run('node', ['esm.mjs'])) as { b: number; tau2: number };
    expect(close(r.b, expected.beta[0]!)).toBe(true);
    expect(close(r.tau2, expected.tau2)).toBe(true);
  });

  it("require()s from CommonJS (Node 20's require of ES modules), the engine and evsynth/node", () => {
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { fitRma } = require('evsynth');\nconst { readCsv, loadDataset } = require('evsynth/node');\n` +
        `const f = fitRma(${JSON.stringify(yi)}, ${JSON.stringify(vi)});\n` +
        `console.log(JSON.stringify({ tau2: f.tau2, read: typeof readCsv, k: loadDataset('knee-oa-exercise-pain').table.rows.length }));\n`,
    );
    const r = JSON.parse(run('node', ['cjs.cjs'])) as { tau2: number; read: string; k: number };
    expect(close(r.tau2, expected.tau2)).toBe(true);
    expect(r.read).toBe('function');
    expect(r.k).toBeGreaterThan(0);
  });

  it('runs GOSH and batches of fits on worker threads (the bundled workers, dist/workers), equal to one thread', () => {
    // REML needs no @stdlib function in the GOSH worker, PMM loads the chi-square quantile from dist/stdlib.cjs; the
    // batch worker has the normal distribution inside and loads the t distribution (knha) from dist/stdlib.cjs
    writeFileSync(
      join(app, 'workers.mjs'),
      `import { fitRma, gosh, fitBatch } from 'evsynth';\nimport { goshParallel, fitBatchParallel } from 'evsynth/node';\n` +
        `const same = (a, b) => Object.keys(a).every((key) => a[key].length === b[key].length && a[key].every((x, i) => Object.is(x, b[key][i])));\n` +
        `const yi = ${JSON.stringify([...yi, ...yi.map((y) => y / 2)].slice(0, 16))}, vi = ${JSON.stringify([...vi, ...vi].slice(0, 16))};\n` +
        `const out = {};\n` +
        `for (const method of ['REML', 'PMM']) {\n` +
        `  const fit = fitRma(yi, vi, { method });\n` +
        `  const { size, estimate, tau2, I2, H2, QE } = await goshParallel(fit, { workers: 2 });\n` +
        `  const one = gosh(fit);\n` +
        `  out['gosh ' + method] = [estimate.length, same({ size: one.size, estimate: one.estimate, tau2: one.tau2, I2: one.I2, H2: one.H2, QE: one.QE }, { size, estimate, tau2, I2, H2, QE })];\n` +
        `}\n` +
        `const k = 8, Y = Float64Array.from({ length: 4000 * k }, (_, i) => Math.sin(i) / 2), V = Float64Array.from({ length: 4000 * k }, (_, i) => 0.01 + (i % 7) / 50);\n` +
        `for (const test of ['z', 'knha']) out['batch ' + test] = same(fitBatch(Y, V, k, { test }), await fitBatchParallel(Y, V, k, { test, workers: 2 }));\n` +
        `console.log(JSON.stringify(out));\n`,
    );
    expect(JSON.parse(run('node', ['workers.mjs']))).toEqual({
      'gosh REML': [65_535, true],
      'gosh PMM': [65_535, true],
      'batch z': true,
      'batch knha': true,
    });
  });

  it('evsynth/node reads the bundled datasets and renders a plot (rendering loaded on demand)', () => {
    writeFileSync(
      join(app, 'node.mjs'),
      `import { loadDataset, analyzeTable, plotSpec, renderSvg, svgToPng } from 'evsynth/node';\n` +
        `const ds = loadDataset('knee-oa-exercise-pain');\n` +
        `const { result } = analyzeTable(ds.table, { by: 'subgroup', preset: 'revman5' }, { measure: ds.provenance.measure });\n` +
        `const svg = await renderSvg(await plotSpec('forest', { table: ds.table, analysis: { by: 'subgroup' }, context: { measure: 'SMD' } }));\n` +
        `const png = await svgToPng(svg, 1);\n` +
        `console.log(JSON.stringify({ levels: result.analysis.levels.length, svg: svg.startsWith('<svg'), png: new TextDecoder().decode(png.subarray(1, 4)) }));\n`,
    );
    const r = JSON.parse(run('node', ['node.mjs'])) as { levels: number; svg: boolean; png: string };
    expect(r.levels).toBeGreaterThan(1);
    expect(r.svg).toBe(true);
    expect(r.png).toBe('PNG');
  });

  it.each(['node16', 'bundler'] as const)(
    'type-checks from TypeScript (moduleResolution %s, skipLibCheck false)',
    (resolution) => {
      const dir = join(app, `ts-${resolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: resolution === 'node16' ? 'node16' : 'esnext',
            moduleResolution: resolution,
            target: 'es2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(app, 'node_modules', '@types')],
          },
          files: ['main.mts'],
        }),
      );
      writeFileSync(
        join(dir, 'main.mts'),
        `import { fitRma, analyze, type RmaFit, type AnalysisResult } from 'evsynth';\n` +
          `import { readCsv, type DataTable } from 'evsynth/node';\n` +
          `const f: RmaFit = fitRma([0.1, 0.2], [0.01, 0.02], { method: 'DL' });\n` +
          `const tau2: number = f.tau2;\n` +
          `const t: DataTable = readCsv('x.csv');\n` +
          `const r: AnalysisResult = analyze({ columns: { yi: [0.1], vi: [0.01] }, labels: ['a'] }, { measure: 'GEN' });\n` +
          `// @ts-expect-error: a measure code the registry does not know\n` +
          `fitRma([0.1], [0.01], { method: 'NOPE' });\n` +
          `console.log(tau2, t, r);\n`,
      );
      // no output and exit 0: the package's own .d.ts files type-check, and they type the user's code
      expect(() => run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir])).not.toThrow();
    },
    120_000,
  );

  it('bundles for the browser with Vite (no node: import) and computes the BCG REML fit in headless Chromium', async () => {
    const web = join(app, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><html><body><pre id="out">…</pre><script type="module" src="./main.js"></script></body></html>',
    );
    writeFileSync(
      join(web, 'main.js'),
      `import { fitRma, escalc, toEffectSet } from 'evsynth';\n` +
        `const f = fitRma(${JSON.stringify(yi)}, ${JSON.stringify(vi)});\n` +
        `document.getElementById('out').textContent = JSON.stringify({ b: f.coefficients[0].estimate, tau2: f.tau2 });\n`,
    );
    run(
      'node',
      [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error', '--base', './'],
      web,
    );
    const assets = join(web, 'dist', 'assets');
    const js = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    expect(js).not.toMatch(/["']node:[a-z_/]+["']/);
    if (!chromiumAvailable()) return;
    const { server, url } = await serve(join(web, 'dist'));
    const browser = await launchChromium();
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(url);
      await page.waitForFunction("document.getElementById('out')?.textContent?.startsWith('{')");
      const r = JSON.parse((await page.textContent('#out')) ?? '{}') as { b: number; tau2: number };
      expect(close(r.b, expected.beta[0]!)).toBe(true);
      expect(close(r.tau2, expected.tau2)).toBe(true);
    } finally {
      await browser.close();
      server.close();
    }
  }, 180_000);

  it('installs the evsynth binary, which runs compiled JavaScript with plain node', () => {
    writeFileSync(join(app, 'bcg.csv'), readFileSync(join(root, 'tests', 'data', 'bcg.csv')));
    const out = run(join(app, 'node_modules', '.bin', 'evsynth'), ['fit', 'bcg.csv', '--measure', 'RR', '--json']);
    const s = JSON.parse(out) as { estimate: number; tau2: number };
    expect(close(s.estimate, expected.beta[0]!)).toBe(true);
    expect(close(s.tau2, expected.tau2)).toBe(true);
    expect(readFileSync(join(app, 'node_modules', 'evsynth', 'bin', 'evsynth.cjs'), 'utf8')).not.toMatch(/tsx/);
    // help and version from the command manifest (bin/evsynth.cjs, dist/bin/help.cjs), as the full program
    const bin = join(app, 'node_modules', '.bin', 'evsynth');
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(run(bin, ['--version']).trim()).toBe(version);
    expect(run(bin, ['fit', '--help'])).toMatch(/^Usage: evsynth fit \[options\] <file>/);
  });

  it('the binary imports a RevMan review and a spreadsheet, and exports an R script (their lazy chunks and readers resolve)', () => {
    const evsynth = join(app, 'node_modules', '.bin', 'evsynth');
    const fixture = (f: string) => join(root, 'tests', 'fixtures', f);
    const review = JSON.parse(run(evsynth, ['import', fixture('revman/Fleiss1993.zip'), '--list', '--json'])) as {
      analyses: unknown[];
    };
    expect(review.analyses.length).toBeGreaterThan(0);
    const map = 'study=Author,year=Year,n1i=N_int,m1i=Mean_int,sd1i=SD_int,n2i=N_ctl,m2i=Mean_ctl,sd2i=SD_ctl';
    const out = run(evsynth, [
      'import',
      fixture('xlsx/extraction.xlsx'),
      '--map',
      map,
      '--measure',
      'MD',
      '--out',
      'ad',
    ]);
    expect(out).toMatch(/8 rows/);
    expect(run(evsynth, ['export', 'r', 'ad'])).toMatch(/library\(metafor\)[\s\S]*rma\(/);
  });

  it('passes publint and @arethetypeswrong (ES module only: CommonJS consumers use require(esm))', () => {
    expect(() => run(bin('publint'), ['--strict', join(app, 'node_modules', 'evsynth')], root)).not.toThrow();
    expect(() => run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], root)).not.toThrow();
  });

  afterAll(() => {
    // leave the temporary project for inspection on failure; the OS cleans tmp
  });
});
