/**
 * The convergence stress of issue 14: N random meta-analyses (default 100,000), every iterative τ²
 * estimator fitted by evsynth and by metafor at tight convergence (threshold 1e-10, up to 10⁴
 * iterations), compared. Reports per estimator: fits evsynth flags as not converged, fits metafor fails
 * on (an error or no convergence), the largest |Δτ²| where both converge, and the cases that differ by
 * more than 1e-6 (relative to max(τ², v̄), v̄ the mean vᵢ but at most 10⁶ times their harmonic mean) with
 * which side's (restricted) likelihood is higher. The vᵢ of an analysis spread over `orders` orders of
 * magnitude (default 2; e.g. 12 for studies of very different precision, where metafor warns that the
 * ratio of variances is extremely large: that warning alone does not count as a failure).
 *   npx tsx bench/convergence-stress.ts [N, default 100000] [seed, default 14] [orders, default 2]
 * Needs Rscript with metafor; figures in docs/robustness.md. No assertions: numbers only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/core/random.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { stoppingScale } from '../src/models/tau2/likelihood.ts';

const N = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 14);
const orders = Number(process.argv[4] ?? 2);
const METHODS: Tau2Method[] = ['ML', 'REML', 'EB', 'PM', 'PMM', 'SJIT'];
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-stress-'));
const rng = new Random(seed);

// random meta-analyses: k from 3 to 40, vᵢ spread over `orders` orders of magnitude, τ² from 0 to large
const sets: { yi: number[]; vi: number[] }[] = [];
for (let s = 0; s < N; s++) {
  const k = 3 + rng.int(38);
  const tau2 = [0, 0, 0.005, 0.02, 0.1, 0.5][rng.int(6)] as number;
  const vi = Array.from({ length: k }, () => 0.005 * (10 ** orders) ** rng.next());
  const yi = vi.map((v) => 0.2 + Math.sqrt(v + tau2) * rng.normal());
  sets.push({ yi, vi });
}
writeFileSync(
  join(tmp, 'data.csv'),
  'id,yi,vi\n' + sets.flatMap((d, s) => d.yi.map((y, i) => `${s},${y},${d.vi[i]}`)).join('\n') + '\n',
);
const rScript = `suppressMessages(library(metafor))
d <- read.csv("${join(tmp, 'data.csv')}")
ids <- split(seq_len(nrow(d)), d$id)
out <- file("${join(tmp, 'metafor.csv')}", "w")
writeLines("id,method,tau2,ok", out)
for (m in c(${METHODS.map((m) => `"${m}"`).join(', ')})) for (s in names(ids)) {
  r <- ids[[s]]
  f <- tryCatch(withCallingHandlers(
                  rma(d$yi[r], d$vi[r], method = m, control = list(threshold = 1e-10, maxiter = 10000, tol = 1e-12)),
                  warning = function(w) if (grepl("Ratio of largest to smallest", conditionMessage(w))) invokeRestart("muffleWarning")),
                error = function(e) NULL, warning = function(w) NULL)
  writeLines(sprintf("%s,%s,%.17g,%d", s, m, if (is.null(f)) NA else f$tau2, if (is.null(f)) 0L else 1L), out)
}
close(out)
`;
writeFileSync(join(tmp, 'stress.R'), rScript);
const t0 = performance.now();
execFileSync('Rscript', [join(tmp, 'stress.R')], { stdio: 'inherit' });
const rSeconds = (performance.now() - t0) / 1000;
const metafor = new Map<string, { tau2: number; ok: boolean }>();
for (const line of readFileSync(join(tmp, 'metafor.csv'), 'utf8').trim().split('\n').slice(1)) {
  const [id, m, t, ok] = line.split(',');
  metafor.set(`${m}/${id}`, { tau2: t === 'NA' ? Number.NaN : Number(t), ok: ok === '1' });
}

const rows: string[] = [];
let eSeconds = 0;
for (const method of METHODS) {
  let eNot = 0,
    rFail = 0,
    maxDiff = 0,
    differ = 0,
    evsynthHigher = 0,
    metaforHigher = 0,
    eNotWhereRConverged = 0;
  const t = performance.now();
  sets.forEach((d, s) => {
    const f = fitRma(d.yi, d.vi, { method, r2: false });
    const r = metafor.get(`${method}/${s}`) as { tau2: number; ok: boolean };
    if (!f.converged) eNot++;
    if (!r.ok) {
      rFail++;
      return;
    }
    if (!f.converged) eNotWhereRConverged++;
    const scale = Math.max(f.tau2, stoppingScale(d.vi));
    const diff = Math.abs(f.tau2 - r.tau2) / scale;
    maxDiff = Math.max(maxDiff, diff);
    if (diff > 1e-6) {
      differ++;
      if (method === 'ML' || method === 'REML') {
        // which τ² has the higher (restricted) likelihood?
        const key = method === 'ML' ? 'ML' : 'REML';
        const llE = f.fitstats[key].ll;
        const llR = fitRma(d.yi, d.vi, { method, tau2: r.tau2, r2: false }).fitstats[key].ll;
        if (llE >= llR) evsynthHigher++;
        else metaforHigher++;
      }
    }
  });
  eSeconds += (performance.now() - t) / 1000;
  rows.push(
    `| ${method} | ${N} | ${eNot} | ${eNotWhereRConverged} | ${rFail} | ${maxDiff.toExponential(1)} | ${differ}${
      method === 'ML' || method === 'REML'
        ? ` (evsynth's likelihood higher in ${evsynthHigher}, metafor's in ${metaforHigher})`
        : ''
    } |`,
  );
}
process.stdout.write(
  [
    `Convergence stress: ${N} random meta-analyses (seed ${seed}, k 3–40, vᵢ over ${orders} orders of magnitude), metafor at threshold 1e-10, maxiter 10⁴.`,
    `evsynth ${eSeconds.toFixed(1)} s, metafor ${rSeconds.toFixed(1)} s for all estimators.`,
    '',
    '| estimator | fits | evsynth not converged | of which metafor converged | metafor error or not converged | max |Δτ²|/max(τ², v̄) where both converged | cases differing by > 1e-6 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
