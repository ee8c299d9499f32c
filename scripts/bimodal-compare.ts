/**
 * Compares evsynth's ML and REML fits with metafor's on random cases prone to a bimodal (restricted)
 * log-likelihood: a few studies with large |yᵢ| among many at yᵢ = 0, small vᵢ (the class of the fast-check
 * counterexample in tests/bimodal.test.ts), drawn until `cases` of them show two local maxima of the ML or
 * REML likelihood on a coarse grid. For each case and method it fits rma.uni (fitRma) and rma.mv
 * with one random intercept per row (fitRmaMv), metafor's `rma(yi, vi, method)` (tight control) and
 * `rma.mv(yi, vi, random = ~ 1 | id, method)` (default control), and the global maximum of ℓ on a dense
 * grid of τ² (2,000 geometric points and 0, ℓ from fitRma with τ² fixed). It counts the cases where each
 * fit agrees with metafor and where it reaches the grid's maximum (to 1e-9 in ℓ).
 * Needs R with metafor and jsonlite (Rscript on the PATH).
 * Usage: npx tsx scripts/bimodal-compare.ts [cases = 300] [seed = 20261201]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitRmaMv } from '../src/models/mv/rma-mv.ts';
import { fitRma } from '../src/models/rma.ts';

const n = Number(process.argv[2] ?? 300),
  seed = Number(process.argv[3] ?? 20261201);

/** mulberry32: a small seeded generator, so that the cases are the same on every run. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const u = rng(seed);
/** A few studies far from 0 among studies at 0: vᵢ uniform on [0.01, 0.5] (as the property test) or log-uniform on [0.005, 0.5]. */
function draw(): { yi: number[]; vi: number[] } {
  const k = 5 + Math.floor(u() * 16);
  const big = 1 + Math.floor(u() * 3);
  const uniform = u() < 0.5;
  const yi = Array.from({ length: k }, (_, i) => (i < big ? (u() < 0.5 ? -1 : 1) * (0.3 + 1.7 * u()) : 0));
  const vi = Array.from({ length: k }, () =>
    uniform ? 0.01 + 0.49 * u() : Math.exp(Math.log(0.005) + u() * Math.log(100)),
  );
  return { yi, vi };
}
/** ℓ(τ²) on a geometric grid from 0 to 10·Σyᵢ² + 1 (and at 0), from fitRma with τ² fixed. */
function profile(yi: number[], vi: number[], method: 'ML' | 'REML', points: number): number[] {
  const ss = yi.reduce((s, y) => s + y * y, 0);
  const grid = [0, ...Array.from({ length: points }, (_, j) => 1e-6 * (10 * ss + 1) * 1e7 ** (j / (points - 1)))];
  return grid.map((tau2) => fitRma(yi, vi, { method, tau2 }).fitstats[method].ll);
}
const localMaxima = (lls: number[]) =>
  lls.filter((x, j) => x > (lls[j - 1] ?? -Infinity) && x >= (lls[j + 1] ?? -Infinity)).length;
// keep the cases whose ML or REML likelihood has two or more local maxima on a coarse grid
const cases: { yi: number[]; vi: number[] }[] = [];
let drawn = 0;
while (cases.length < n && drawn < 100 * n) {
  const c = draw();
  drawn++;
  if (localMaxima(profile(c.yi, c.vi, 'ML', 150)) > 1 || localMaxima(profile(c.yi, c.vi, 'REML', 150)) > 1)
    cases.push(c);
}
console.log(`${cases.length} cases with a bimodal ML or REML likelihood among ${drawn} drawn`);

const dir = mkdtempSync(join(tmpdir(), 'bimodal-'));
writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
const R = `
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
cases <- fromJSON(file.path("${dir}", "cases.json"), simplifyVector = FALSE)
fit <- function(f) tryCatch(f(), error = function(e) NULL)
out <- lapply(cases, function(cs) {
  yi <- unlist(cs$yi); vi <- unlist(cs$vi); id <- seq_along(yi)
  r <- list()
  for (m in c("ML", "REML")) {
    u <- fit(function() rma(yi, vi, method = m, control = list(threshold = 1e-12, maxiter = 10000)))
    v <- fit(function() rma.mv(yi, vi, random = ~ 1 | id, method = m))
    r[[m]] <- list(uni = if (is.null(u)) NA else u$tau2, uni_ll = if (is.null(u)) NA else as.numeric(logLik(u)),
                   mv = if (is.null(v)) NA else v$sigma2, mv_ll = if (is.null(v)) NA else as.numeric(logLik(v)))
  }
  r
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null"), file.path("${dir}", "metafor.json"))
`;
execFileSync('Rscript', ['-e', R], { stdio: 'inherit' });
interface MetaforFit {
  uni: number | null;
  uni_ll: number | null;
  mv: number | null;
  mv_ll: number | null;
}
const metafor = JSON.parse(readFileSync(join(dir, 'metafor.json'), 'utf8')) as Record<'ML' | 'REML', MetaforFit>[];

const same = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-5 * Math.abs(b), 1e-7);
for (const method of ['ML', 'REML'] as const) {
  const count = {
    cases: 0,
    bimodal: 0,
    uniAgrees: 0,
    mvAgrees: 0,
    uniGlobal: 0,
    mvGlobal: 0,
    metaforUniGlobal: 0,
    metaforMvGlobal: 0,
  };
  const disagree: string[] = [];
  cases.forEach(({ yi, vi }, c) => {
    const m = metafor[c]![method];
    // the global maximum on a dense grid, and how many local maxima it shows
    const lls = profile(yi, vi, method, 2000);
    const top = Math.max(...lls);
    if (localMaxima(lls) > 1) count.bimodal++;
    const uni = fitRma(yi, vi, { method });
    const mv = fitRmaMv(yi, vi, {
      method,
      random: [{ kind: 'intercept', name: 'id', level: Int32Array.from(yi, (_, i) => i), levels: yi.map(String) }],
    });
    const mvTau2 = mv.sigma2[0] as number;
    count.cases++;
    const ok = (x: number) => x >= top - 1e-9;
    if (ok(uni.fitstats[method].ll)) count.uniGlobal++;
    if (ok(mv.fitstats.ll)) count.mvGlobal++;
    if (m.uni_ll !== null && ok(m.uni_ll)) count.metaforUniGlobal++;
    if (m.mv_ll !== null && ok(m.mv_ll)) count.metaforMvGlobal++;
    if (m.uni !== null && same(uni.tau2, m.uni)) count.uniAgrees++;
    else
      disagree.push(
        `case ${c} uni: evsynth ${uni.tau2} (ℓ ${uni.fitstats[method].ll}), metafor ${m.uni} (ℓ ${m.uni_ll})`,
      );
    if (m.mv !== null && same(mvTau2, m.mv)) count.mvAgrees++;
    else disagree.push(`case ${c} mv: evsynth ${mvTau2} (ℓ ${mv.fitstats.ll}), metafor ${m.mv} (ℓ ${m.mv_ll})`);
  });
  console.log(method, JSON.stringify(count));
  for (const d of disagree) console.log('  ', d);
}
