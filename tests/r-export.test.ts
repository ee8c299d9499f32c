/**
 * `evsynth export r`: the exported script, run in R, prints evsynth's pooled estimate, CI, τ² and I² for every
 * bundled dataset with study rows. Runs where R with metafor (and, for --package meta, meta) is installed;
 * skipped with a message where it is not. `export revman-csv` round-trips through `evsynth import`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { metaAnalysis, pooledEstimate, type MetaAnalysis } from '../src/analysis/meta-analysis.ts';
import { subgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { reproduceDataset } from '../src/analysis/reproduce.ts';
import { exportOptions } from '../src/cli/commands/export.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { stringColumn, studyLabels } from '../src/io/csv.ts';
import { listDatasetNames, loadDataset } from '../src/evidence/datasets.ts';
import { readReview, reviewDatasets, writeDatasets } from '../src/evidence/import/files.ts';
import { runCli } from './cli-run.ts';

function rHas(pkg: string): boolean {
  const r = spawnSync('Rscript', ['-e', `quit(status = if (requireNamespace("${pkg}", quietly = TRUE)) 0 else 1)`], {
    stdio: 'ignore',
  });
  return r.status === 0;
}
const HAS_METAFOR = rHas('metafor');
const HAS_META = rHas('meta');
if (!HAS_METAFOR) console.warn('tests/r-export.test.ts: R with metafor is not installed; the R runs are skipped');
if (!HAS_META)
  console.warn('tests/r-export.test.ts: R package meta is not installed; the --package meta runs are skipped');

const withRows = listDatasetNames().filter((n) => loadDataset(n).table !== null);
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-r-'));

function numbersOf(a: MetaAnalysis) {
  const e = pooledEstimate(a);
  return {
    estimate: e.estimate,
    lb: e.ciLower,
    ub: e.ciUpper,
    tau2: a.model.kind === 'rma' ? a.model.fit.tau2 : 0,
    I2: a.model.fit.I2,
  };
}

function evsynthNumbers(name: string) {
  const ds = loadDataset(name);
  const t = ds.table!;
  return numbersOf(metaAnalysis(effectColumnsFromTable(t), studyLabels(t), exportOptions(t, ds, {})));
}

/** evsynth's subgroup analysis of a bundled dataset by its subgroup column, as `export r` asks R for it. */
function evsynthSubgroups(name: string) {
  const ds = loadDataset(name);
  const t = ds.table!;
  const col = ds.provenance.subgroupColumn;
  if (col === undefined) return null;
  const s = subgroupAnalysis(
    effectColumnsFromTable(t),
    studyLabels(t),
    stringColumn(t, col),
    col,
    exportOptions(t, ds, {}),
  );
  return { levels: s.levels.map((l) => ({ level: l.level, ...numbersOf(l.analysis) })), test: s.test };
}

type Numbers = ReturnType<typeof numbersOf>;
function expectAgree(R: Record<string, number>, ev: Numbers, what: string) {
  const scale = Math.max(1, Math.abs(ev.estimate));
  for (const k of ['estimate', 'lb', 'ub'] as const)
    expect(Math.abs((R[k] as number) - ev[k]), `${what} ${k}`).toBeLessThan(1e-8 * scale);
  expect(Math.abs((R['tau2'] as number) - ev.tau2), `${what} tau2`).toBeLessThan(1e-8 * Math.max(1, ev.tau2));
  if (Number.isFinite(ev.I2)) expect(Math.abs((R['I2'] as number) - ev.I2), `${what} I2`).toBeLessThan(1e-6);
}

/** R's subgroup lines (level → numbers) and its test for subgroup differences. */
function rSubgroups(out: string) {
  const levels = new Map<string, Record<string, number>>();
  for (const m of out.matchAll(
    /evsynth-check-subgroup: level="(.*)" estimate=(\S+) ci\.lb=(\S+) ci\.ub=(\S+) tau2=(\S+) I2=(\S+)/g,
  )) {
    const [estimate, lb, ub, tau2, I2] = m.slice(2).map(Number);
    levels.set(m[1] as string, { estimate, lb, ub, tau2, I2 } as Record<string, number>);
  }
  const t = /evsynth-check-test: Q=(\S+) df=(\S+) p=(\S+)/.exec(out);
  return { levels, test: t ? { Q: Number(t[1]), df: Number(t[2]), p: Number(t[3]) } : null };
}

/** Runs R scripts in one R process (metafor loads once), each in its own environment; output per script. */
function runR(scripts: readonly string[]): Map<string, string> {
  const files = scripts.map((f) => `"${f}"`).join(', ');
  const out = execFileSync(
    'Rscript',
    ['-e', `for (f in c(${files})) { cat("==evsynth-script ", f, "\\n", sep = ""); source(f, local = new.env()) }`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 },
  );
  const parts = new Map<string, string>();
  for (const chunk of out.split('==evsynth-script ').slice(1)) {
    const nl = chunk.indexOf('\n');
    parts.set(chunk.slice(0, nl), chunk.slice(nl + 1));
  }
  return parts;
}

function rNumbers(out: string) {
  const m = /evsynth-check: estimate=(\S+) ci\.lb=(\S+) ci\.ub=(\S+) tau2=(\S+) I2=(\S+)/.exec(out);
  expect(m, out).not.toBeNull();
  const [, estimate, lb, ub, tau2, I2] = (m as RegExpExecArray).map(Number);
  return { estimate, lb, ub, tau2, I2 } as Record<string, number>;
}

describe('export r --package metafor: R prints evsynth’s numbers for every bundled dataset', () => {
  let outputs = new Map<string, string>();
  beforeAll(async () => {
    const files: string[] = [];
    for (const name of withRows) {
      const file = join(tmp, `${name}.R`);
      const r = await runCli('export', 'r', name, '--out', file);
      expect(r.code, r.err).toBe(0);
      files.push(file);
    }
    if (HAS_METAFOR) outputs = runR(files);
  }, 120_000);
  it('covers every bundled dataset with rows', () => expect(withRows.length).toBeGreaterThanOrEqual(10));
  for (const name of withRows)
    it.skipIf(!HAS_METAFOR)(name, () => {
      const out = outputs.get(join(tmp, `${name}.R`)) ?? '';
      const script = readFileSync(join(tmp, `${name}.R`), 'utf8');
      if (script.includes("## note: metafor cannot express RevMan 5's rule here")) {
        // the script says where R must differ (RevMan-only rules); it still runs and prints its comparison
        rNumbers(out);
        expect(out).toMatch(/R vs evsynth: largest relative difference \S+ over \d+ numbers/);
        return;
      }
      expectAgree(rNumbers(out), evsynthNumbers(name), 'overall');
      const sub = evsynthSubgroups(name);
      const R = rSubgroups(out);
      expect([...R.levels.keys()]).toEqual(sub ? sub.levels.map((l) => l.level) : []);
      for (const l of sub?.levels ?? []) expectAgree(R.levels.get(l.level) ?? {}, l, l.level);
      if (sub?.test) {
        expect(Math.abs((R.test?.Q as number) - sub.test.Q), 'Q between').toBeLessThan(1e-8 * Math.max(1, sub.test.Q));
        expect(R.test?.df).toBe(sub.test.df);
      } else expect(R.test).toBeNull();
      expect(out).toMatch(/R vs evsynth: largest relative difference \S+ over \d+ numbers: R agrees with evsynth/);
    });
  it.skipIf(!HAS_METAFOR)('has subgroup checks where a dataset has subgroups', () => {
    const withSubgroups = withRows.filter((n) => loadDataset(n).provenance.subgroupColumn !== undefined);
    expect(withSubgroups.length).toBeGreaterThanOrEqual(4);
    for (const n of withSubgroups) expect(outputs.get(join(tmp, `${n}.R`))).toMatch(/evsynth-check-test: Q=/);
  });
});

/**
 * Options a bundled dataset's own model does not use: every pooling family (MH, Peto, RevMan's MH-based τ²,
 * iterative τ² estimators at full convergence, Knapp-Hartung, another level, zero-cell rules) with subgroups,
 * on the BCG trials by allocation (tests/data/bcg-alloc.csv) and on bundled datasets with model options; and
 * --low-risk-only (only the low-risk studies go into the script).
 * R's verdict line compares R's numbers with the evsynth numbers the script carries.
 */
describe('export r --package metafor: every option reaches R', () => {
  const bcg = fileURLToPath(new URL('./data/bcg-alloc.csv', import.meta.url));
  const VARIANTS: readonly (readonly string[])[] = [
    [bcg, '--measure', 'OR', '--method', 'MH', '--by', 'alloc'],
    [bcg, '--measure', 'OR', '--method', 'PETO', '--by', 'alloc'],
    [bcg, '--measure', 'RR', '--preset', 'revman5', '--by', 'alloc'],
    [bcg, '--measure', 'RD', '--method', 'DL', '--level', '90', '--by', 'alloc'],
    [bcg, '--measure', 'RR', '--method', 'REML', '--test', 'knha', '--by', 'alloc'],
    [bcg, '--measure', 'OR', '--method', 'PM', '--add', '0.5', '--to', 'all'],
    [bcg, '--measure', 'OR', '--method', 'PMM', '--by', 'alloc'],
    [bcg, '--measure', 'RR', '--method', 'SJIT', '--test', 'adhoc'],
    ['knee-oa-exercise-pain', '--measure', 'SMD', '--vtype', 'UB', '--method', 'EB'],
    ['lbp-antidepressants-pain-short-term', '--measure', 'ROM', '--method', 'HE'],
    [fileURLToPath(new URL('./data/rob2-synthetic.csv', import.meta.url)), '--low-risk-only'],
  ];
  let outputs = new Map<string, string>();
  const fileOf = (i: number) => join(tmp, `variant-${i}.R`);
  beforeAll(async () => {
    for (const [i, v] of VARIANTS.entries()) {
      const r = await runCli('export', 'r', ...v, '--out', fileOf(i));
      expect(r.code, r.err).toBe(0);
    }
    if (HAS_METAFOR) outputs = runR(VARIANTS.map((_, i) => fileOf(i)));
  }, 120_000);
  for (const [i, v] of VARIANTS.entries())
    it.skipIf(!HAS_METAFOR)(`${v.slice(1).join(' ')} (${basename(v[0] as string)})`, () => {
      const out = outputs.get(fileOf(i)) ?? '';
      expect(out).toMatch(/R vs evsynth: largest relative difference \S+ over \d+ numbers: R agrees with evsynth/);
      if (v.includes('--by')) expect(rSubgroups(out).levels.size).toBe(3);
    });
});

describe('export r --package meta', () => {
  for (const name of ['fleiss1993-aspirin', 'fleiss1993-mental-health-md', 'knee-oa-exercise-pain'])
    it.skipIf(!HAS_META)(name, async () => {
      const file = join(tmp, `${name}-meta.R`);
      const r = await runCli('export', 'r', name, '--package', 'meta', '--out', file);
      expect(r.code, r.err).toBe(0);
      const ev = evsynthNumbers(name);
      const R = rNumbers(runR([file]).get(file) ?? '');
      expect(Math.abs((R['estimate'] as number) - ev.estimate)).toBeLessThan(1e-6);
    });
  it('writes metabin/metacont calls with every option (checked as text where meta is absent)', async () => {
    const r = await runCli('export', 'r', 'fleiss1993-aspirin', '--package', 'meta');
    expect(r.out).toMatch(
      /metabin\(event\.e = ai, n\.e = n1i, event\.c = ci, n\.c = n2i, .*sm = "OR", method = "MH", common = TRUE, random = FALSE, level\.ma = 0\.95, incr = 0\.5, method\.incr = "only0"/,
    );
    const c = await runCli('export', 'r', 'knee-oa-exercise-pain', '--package', 'meta');
    expect(c.out).toMatch(
      /metacont\(.*sm = "SMD", method\.smd = "Hedges", exact\.smd = FALSE, subgroup = subgroup, common = FALSE, random = TRUE, method\.tau = "DL"/,
    );
  });
});

describe('export revman-csv', () => {
  it('round-trips: the aspirin analysis exported in RevMan 5’s layout imports and reproduces', async () => {
    const file = join(tmp, 'aspirin_CR.csv');
    const r = await runCli('export', 'revman-csv', 'fleiss1993-aspirin', '--out', file);
    expect(r.code, r.err).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^Comparison Number,Outcome Number,Subgroup Number,Name,Data Type,/);
    expect(text).toMatch(
      /\n1,1,0,Aspirin for Preventing Death after Myocardial Infarction,DIC,MH,OR,Fixed,2128,,,14186,2286,,,13817,0\.89686556,,0\.8405144,0\.95699471,100,9\.94605598,/,
    );
    const root = mkdtempSync(join(tmpdir(), 'evsynth-rt-'));
    const [d] = writeDatasets(reviewDatasets(readReview(file)).slice(0, 1), root);
    const rep = reproduceDataset(loadDataset(d!.replace(/^.*\//, ''), root));
    expect(rep.counts.reproduced).toBe(rep.checks.length);
    expect(rep.checks.length).toBe(22);
  });
  it('subgroups: one row per subgroup with its total; import reads them back as subgroup claims', async () => {
    const file = join(tmp, 'knee_CR.csv');
    await runCli('export', 'revman-csv', 'knee-oa-exercise-pain', '--out', file);
    const review = readReview(file);
    const a = review.analyses[0]!;
    expect(a.subgroupResults.map((s) => s.name)).toEqual([
      'Aerobic',
      'Balance/proprioceptive',
      'Mind-body',
      'Mixed',
      'Strengthening',
      'Stretching',
    ]);
    expect(a.rows).toHaveLength(52);
    const root = mkdtempSync(join(tmpdir(), 'evsynth-rt-'));
    const [d] = writeDatasets(reviewDatasets(review), root);
    const rep = reproduceDataset(loadDataset(d!.replace(/^.*\//, ''), root));
    const bad = rep.checks.filter((c) => c.verdict !== 'reproduced');
    expect(bad.map((c) => `${c.claim}: ${c.detail}`)).toEqual([]);
  });
});
