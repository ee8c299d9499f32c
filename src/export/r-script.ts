/**
 * A self-contained R script that reruns an evsynth analysis in R: the data inline, and the library call with
 * every option evsynth used (measure, method, test, level, zero-cell rule, RevMan's conventions), printing R's
 * result and one machine-readable line
 *
 * ```text
 * evsynth-check: estimate=… ci.lb=… ci.ub=… tau2=… I2=…
 * ```
 *
 * (analysis scale; I² in percent) that `tests/r-export.test.ts` compares with evsynth's numbers; with subgroups
 * (separate τ² per subgroup, as evsynth, RevMan and meta fit them) one `evsynth-check-subgroup` line per subgroup
 * and an `evsynth-check-test` line with the test for subgroup differences (Q on the subgroup estimates,
 * df = G − 1). When evsynth's own numbers are given they are written into the script, and R prints whether its
 * results agree with them (largest relative difference). metafor
 * (Viechtbauer 2010): `escalc` + `rma`, `rma.mh`, `rma.peto`; meta (Balduzzi, Rücker & Schwarzer 2019):
 * `metabin`, `metacont`, `metagen`. What R has no option for is written out as R code with its formula:
 * RevMan 5's SMD (Deeks & Higgins 2010), and τ² from Q about the Mantel–Haenszel estimate (RevMan 5's
 * random-effects model for binary data). Pure: returns text.
 */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumnName, EffectColumns } from '../effects/options.ts';
import { inputColumnsFound, measureSpec } from '../effects/registry.ts';
import { pooledEstimate, type AnalysisOptions, type MetaAnalysis } from '../analysis/meta-analysis.ts';
import { RMA_DEFAULTS } from '../models/rma.ts';
import { isMissingCell } from '../io/csv.ts';

export const R_PACKAGES = ['metafor', 'meta'] as const;
export type RPackage = (typeof R_PACKAGES)[number];

export interface RScriptInput {
  readonly title: string;
  readonly labels: readonly string[];
  readonly columns: EffectColumns;
  readonly options: AnalysisOptions;
  /** Where the data came from (a comment in the script). */
  readonly source?: string;
  /** Subgroups: the column, each row's value, and the levels evsynth fitted (in its order). */
  readonly subgroups?: {
    readonly column: string;
    readonly values: readonly string[];
    readonly levels: readonly string[];
  };
  /** evsynth's numbers for the same analysis, for R to compare its own with. */
  readonly evsynth?: EvsynthNumbers;
}

/** A pooled result as the script prints it: analysis scale, I² in percent, τ² 0 for common-effect methods. */
export interface PooledNumbers {
  readonly estimate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly tau2: number;
  readonly I2: number;
}

/** The numbers of `a` that the script prints and compares (τ² 0 for MH and Peto, as R's check line has it). */
export function pooledNumbers(a: MetaAnalysis): PooledNumbers {
  const e = pooledEstimate(a);
  return {
    estimate: e.estimate,
    ciLower: e.ciLower,
    ciUpper: e.ciUpper,
    tau2: a.model.kind === 'rma' ? a.model.fit.tau2 : 0,
    I2: a.model.fit.I2,
  };
}

/** evsynth's results that the script compares R's with. */
export interface EvsynthNumbers {
  readonly overall: PooledNumbers;
  /** Per subgroup level, in the order of `RScriptInput.subgroups.levels`. */
  readonly subgroups?: readonly PooledNumbers[];
  readonly test?: { readonly Q: number; readonly df: number; readonly pValue: number } | null;
}

const rString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const rNumber = (x: number) => (Number.isNaN(x) ? 'NA' : Number.isFinite(x) ? String(x) : x > 0 ? 'Inf' : '-Inf');

function vector(values: readonly string[], indent: string): string {
  const inline = `c(${values.join(', ')})`;
  if (inline.length <= 90) return inline;
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    if (line.length + v.length > 90) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + v + ',';
  }
  lines.push(line.replace(/,$/, ''));
  return `c(\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent})`;
}

/** The input columns the analysis uses (by the measure's alternatives, as evsynth picks them). */
function usedColumns(options: AnalysisOptions, columns: EffectColumns): EffectColumnName[] {
  const has = (c: string) => columns[c as EffectColumnName] !== undefined;
  if (options.measure === 'GEN') {
    if (has('vi')) return ['yi', 'vi'];
    if (has('sei')) return ['yi', 'sei'];
    return ['yi', 'ci_lb', 'ci_ub'];
  }
  const found = inputColumnsFound(options.measure, has);
  if (found === undefined)
    throw new EvsynthError(
      'MISSING_COLUMN',
      `measure ${options.measure} needs columns ${measureSpec(options.measure)
        .inputs.map((s) => s.join(', '))
        .join(' or ')}`,
    );
  return [...found] as EffectColumnName[];
}

const ITERATIVE = new Set(['ML', 'REML', 'EB', 'SJIT', 'PM', 'PMM']);
/**
 * evsynth solves iterative τ² estimators to double precision; metafor's defaults stop earlier (Fisher scoring at
 * `threshold` 1e-5, PM/PMM's `uniroot` at `tol` ≈ 1.2e-4 on τ²), so the script asks for the same convergence.
 */
const CONTROL = 'control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)';

/** Zero-cell arguments of metafor's escalc under the options (RevMan 5: ½ to every cell of a table with a zero cell). */
function zeroCellArgs(o: AnalysisOptions, binary: boolean): string[] {
  if (!binary) return [];
  if (o.convention === 'revman5')
    return [`add = 1/2`, `to = "only0"`, `drop00 = ${o.measure === 'RD' ? 'FALSE' : 'TRUE'}`];
  const a: string[] = [];
  if (o.add !== undefined) a.push(`add = ${o.add}`);
  if (o.to !== undefined) a.push(`to = ${rString(o.to)}`);
  if (o.drop00 !== undefined) a.push(`drop00 = ${o.drop00 ? 'TRUE' : 'FALSE'}`);
  return a;
}

/**
 * Where metafor's arguments cannot express RevMan 5's rules for these tables (evsynth's value then differs
 * from R's): RR of a study with events in everyone in both groups (RevMan: RR = 1), RD of a table with a zero
 * cell (RevMan: the estimate from the raw counts, the variance from the corrected ones), and an RR or OR table with a
 * zero cell in a Mantel-Haenszel estimate (RevMan: from the corrected cells).
 */
export function revmanCaveats(o: AnalysisOptions, columns: EffectColumns, labels: readonly string[]): string[] {
  if (o.convention !== 'revman5' || !(o.measure === 'RR' || o.measure === 'RD' || o.measure === 'OR')) return [];
  const n = labels.length;
  const get = (c: EffectColumnName, i: number) => columns[c]?.[i] ?? Number.NaN;
  const out: string[] = [];
  // RevMan 5 computes its Mantel-Haenszel estimate (fixed effect, or the centre of its random-effects Q) from
  // the cells with ½ added to tables with a zero cell; metafor's rma.mh always from the raw counts
  const mhEstimate =
    (o.measure === 'RR' || o.measure === 'OR') && (o.method === 'MH' || o.tau2From === 'mantel-haenszel');
  for (let i = 0; i < n; i++) {
    const a = get('ai', i),
      c = get('ci', i);
    const n1 = columns.n1i ? get('n1i', i) : a + get('bi', i);
    const n2 = columns.n2i ? get('n2i', i) : c + get('di', i);
    const zero = a === 0 || c === 0 || a === n1 || c === n2;
    if (o.measure === 'RR' && a === n1 && c === n2)
      out.push(`${labels[i]}: events in everyone in both groups (RevMan: RR = 1; metafor drops the study)`);
    if (o.measure === 'RD' && zero)
      out.push(
        `${labels[i]}: a zero cell (RevMan: RD from the raw counts, its variance from the corrected ones; metafor corrects both)`,
      );
    else if (mhEstimate && zero && !(a === 0 && c === 0))
      out.push(
        `${labels[i]}: a zero cell (RevMan's Mantel-Haenszel estimate uses the corrected cells, ½ added; metafor's rma.mh the raw counts)`,
      );
  }
  return out;
}

const CHECK_FN = [
  '## one machine-readable line per result: analysis scale, I^2 in percent, tau^2 0 for common-effect methods',
  'check <- function(tag, x) cat(tag, sprintf("estimate=%.15g ci.lb=%.15g ci.ub=%.15g tau2=%.15g I2=%.15g", x[1], x[2], x[3], x[4], x[5]), "\\n", sep = "")',
];

const NUMBER_NAMES = '"estimate", "ci.lb", "ci.ub", "tau2", "I2"';

/** The data frame: study labels, the input columns the analysis uses, and the subgroup column if any. */
function dataFrame(input: RScriptInput, cols: readonly EffectColumnName[]): string[] {
  const k = input.labels.length;
  const sub = input.subgroups;
  const missing = sub ? sub.values.filter((v) => isMissingCell(v)).length : 0;
  return [
    'dat <- data.frame(',
    `  study = ${vector(input.labels.map(rString), '  ')},`,
    ...cols.map(
      (c) =>
        `  ${c} = ${vector(
          Array.from({ length: k }, (_, i) => rNumber(input.columns[c]?.[i] ?? Number.NaN)),
          '  ',
        )},`,
    ),
    ...(sub
      ? [
          `  subgroup = ${vector(
            sub.values.map((v) => (isMissingCell(v) ? 'NA' : rString(v))),
            '  ',
          )},`,
        ]
      : []),
    '  stringsAsFactors = FALSE',
    ')',
    ...(missing > 0
      ? [
          `## ${missing} row${missing === 1 ? '' : 's'} without a value in '${sub?.column}': left out of the whole analysis, as evsynth does`,
          'dat <- dat[!is.na(dat$subgroup), ]',
        ]
      : []),
    '',
  ];
}

/** R's subgroup fits, their check lines and the test for subgroup differences (metafor). */
function subgroupCode(sub: NonNullable<RScriptInput['subgroups']>): string[] {
  return [
    '',
    `## subgroups by '${sub.column}', each fitted alone with its own tau^2 (evsynth's convention; RevMan's and meta's)`,
    `levels <- ${vector(sub.levels.map(rString), '')}`,
    'fits <- lapply(levels, function(g) pool(dat[dat$subgroup == g, ]))',
    'names(fits) <- levels',
    'for (g in levels) check(sprintf(\'evsynth-check-subgroup: level="%s" \', g), nums(fits[[g]]))',
    "## test for subgroup differences: Cochran's Q of the subgroup estimates about their inverse-variance mean, df = G - 1",
    'sg <- rma(sapply(fits, function(r) as.numeric(r$beta)), sei = sapply(fits, function(r) r$se), method = "EE")',
    'cat(sprintf("evsynth-check-test: Q=%.15g df=%d p=%.15g\\n", sg$QE, sg$k - 1L, sg$QEp))',
  ];
}

/** evsynth's numbers written into the script, and R's verdict on its own (largest relative difference). */
function comparisonCode(
  ev: EvsynthNumbers,
  sub: RScriptInput['subgroups'] | undefined,
  withSubgroups: boolean,
): string[] {
  const rows = [ev.overall, ...(withSubgroups ? (ev.subgroups ?? []) : [])];
  const row = (x: PooledNumbers) =>
    [x.estimate, x.ciLower, x.ciUpper, x.tau2, x.I2]
      .map((v) => rNumber(Number.isFinite(v) ? v : Number.NaN))
      .join(', ');
  const names = withSubgroups && sub ? 'c("overall", levels)' : '"overall"';
  const test = withSubgroups && ev.test ? ev.test : null;
  return [
    '',
    "## evsynth's numbers for the same analysis, and whether R's agree with them",
    `evsynth <- matrix(c(\n${rows.map((x) => `  ${row(x)}`).join(',\n')}\n), ncol = 5, byrow = TRUE, dimnames = list(${names}, c(${NUMBER_NAMES})))`,
    `R <- rbind(nums(res)${withSubgroups && sub ? ', do.call(rbind, lapply(fits, nums))' : ''})`,
    'rel <- as.vector(abs(R - evsynth) / pmax(1, abs(evsynth)))',
    ...(test
      ? [
          `evsynth.test <- c(Q = ${rNumber(test.Q)}, df = ${test.df}, p = ${rNumber(test.pValue)})`,
          'rel <- c(rel, abs(sg$QE - evsynth.test[["Q"]]) / max(1, evsynth.test[["Q"]]), abs(sg$k - 1 - evsynth.test[["df"]]))',
        ]
      : []),
    'dimnames(R) <- dimnames(evsynth)',
    'cat("\\nR:\\n"); print(R, digits = 10)',
    'cat("evsynth:\\n"); print(evsynth, digits = 10)',
    ...(test
      ? [
          'cat(sprintf("test for subgroup differences: R Q = %.10g (df %d), evsynth Q = %.10g (df %d)\\n", sg$QE, sg$k - 1L,',
          '  evsynth.test[["Q"]], as.integer(evsynth.test[["df"]])))',
        ]
      : []),
    'worst <- max(rel, na.rm = TRUE)',
    'cat(sprintf("R vs evsynth: largest relative difference %.2g over %d numbers: %s\\n", worst, sum(!is.na(rel)),',
    '  if (worst < 1e-6) "R agrees with evsynth" else "R DIFFERS from evsynth"))',
  ];
}

/** The R script (see the module's doc comment). */
export function rScript(input: RScriptInput, pkg: RPackage = 'metafor'): string {
  const o = input.options;
  const method = o.method ?? RMA_DEFAULTS.method;
  const test = o.test ?? 'z';
  const level = o.level ?? 95;
  const cols = usedColumns(o, input.columns);
  const binary = measureSpec(o.measure).family === 'two-by-two';
  const lines: string[] = [
    `## evsynth export (${pkg}): ${input.title}`,
    ...(input.source ? [`## data: ${input.source}`] : []),
    `## evsynth options: measure ${o.measure}, method ${method}, test ${test}, level ${level}%` +
      (o.convention ? `, convention ${o.convention}` : '') +
      (o.tau2From ? `, tau2 about ${o.tau2From}` : '') +
      (o.smd ? `, SMD ${o.smd}` : '') +
      (o.vtype ? `, vtype ${o.vtype}` : '') +
      (o.add !== undefined ? `, add ${o.add}` : '') +
      (o.to ? `, to ${o.to}` : '') +
      (o.drop00 !== undefined ? `, drop00 ${o.drop00}` : '') +
      (input.subgroups ? `, subgroups by ${input.subgroups.column}` : ''),
    "## Run: Rscript <this file>. It prints R's result, evsynth-check lines (pooled estimate on the analysis scale,",
    "## its CI, tau^2 and I^2 in percent) and, at the end, whether R's numbers agree with evsynth's.",
  ];
  for (const c of revmanCaveats(o, input.columns, input.labels))
    lines.push(`## note: metafor cannot express RevMan 5's rule here, so R's value differs from evsynth's: ${c}`);
  lines.push('', `library(${pkg})`, '', ...dataFrame(input, cols));
  const args = cols.map((c) => `${c} = ${c}`).join(', ');
  const smdRevman = o.measure === 'SMD' && (o.smd === 'revman' || (o.smd === undefined && o.convention === 'revman5'));
  const mhTau2 =
    o.tau2From === 'mantel-haenszel' &&
    method === 'DL' &&
    (o.measure === 'OR' || o.measure === 'RR' || o.measure === 'RD');
  if (pkg === 'metafor') {
    lines.push(...metaforBody(o, method, test, level, args, binary, smdRevman, mhTau2));
    if (input.subgroups) lines.push(...subgroupCode(input.subgroups));
    if (input.evsynth) lines.push(...comparisonCode(input.evsynth, input.subgroups, input.subgroups !== undefined));
  } else {
    lines.push(...metaBody(o, method, test, level, cols, smdRevman, mhTau2, input.subgroups !== undefined));
    if (input.evsynth) lines.push(...comparisonCode(input.evsynth, input.subgroups, false));
  }
  return lines.join('\n') + '\n';
}

function smdRevmanCode(): string[] {
  return [
    "## RevMan 5's SMD (Deeks & Higgins 2010): Hedges' adjusted g with the correction 1 - 3/(4N - 9),",
    '## variance N/(n1 n2) + g^2/(2(N - 3.94))',
    'N <- dat$n1i + dat$n2i',
    'sp <- sqrt(((dat$n1i - 1) * dat$sd1i^2 + (dat$n2i - 1) * dat$sd2i^2) / (N - 2))',
    'dat$yi <- (dat$m1i - dat$m2i) / sp * (1 - 3 / (4 * N - 9))',
    'dat$vi <- N / (dat$n1i * dat$n2i) + dat$yi^2 / (2 * (N - 3.94))',
  ];
}

/**
 * metafor: the effect sizes of `dat` (escalc, or the formula R has no option for), then `pool(d)`, the fit of
 * the rows `d` with every option, applied to all rows and (see {@link subgroupCode}) to each subgroup.
 */
function metaforBody(
  o: AnalysisOptions,
  method: string,
  test: string,
  level: number,
  args: string,
  binary: boolean,
  smdRevman: boolean,
  mhTau2: boolean,
): string[] {
  const zc = zeroCellArgs(o, binary);
  const levelArg = `level = ${level}`;
  const out: string[] = [];
  let pool: string[];
  if (method === 'MH' || method === 'PETO') {
    const mhZero =
      o.convention === 'revman5'
        ? [
            `add = c(1/2, 1/2)`,
            `to = c("only0", "only0")`,
            `drop00 = c(${o.measure === 'RD' ? 'FALSE, FALSE' : 'TRUE, TRUE'})`,
          ]
        : zc;
    pool = [
      method === 'MH'
        ? `rma.mh(measure = ${rString(o.measure)}, ${args}, data = d, slab = study, ${[...mhZero, levelArg].join(', ')})`
        : `rma.peto(${args}, data = d, slab = study, ${[...(o.convention === 'revman5' ? [] : zc), levelArg].join(', ')})`,
    ];
  } else {
    if (smdRevman) out.push(...smdRevmanCode());
    else if (o.measure === 'GEN') {
      if (args.includes('ci_lb'))
        out.push(
          `## standard error from the ${o.ciLevel ?? 95}% CI: (ci_ub - ci_lb) / (2 z)`,
          `dat$vi <- ((dat$ci_ub - dat$ci_lb) / (2 * qnorm(1 - (1 - ${(o.ciLevel ?? 95) / 100}) / 2)))^2`,
        );
      else if (args.includes('sei')) out.push('dat$vi <- dat$sei^2');
    } else {
      const extra = [...zc, ...(o.vtype ? [`vtype = ${rString(o.vtype)}`] : [])];
      out.push(
        `dat <- escalc(measure = ${rString(o.measure)}, ${args}, data = dat${extra.map((a) => `, ${a}`).join('')})`,
      );
    }
    const control = ITERATIVE.has(method) ? `, ${CONTROL}` : '';
    if (mhTau2) {
      const mhZero = `add = c(1/2, 1/2), to = c("only0", "only0"), drop00 = c(${o.measure === 'RD' ? 'FALSE, FALSE' : 'TRUE, TRUE'})`;
      out.push(
        "## RevMan 5's random effects for binary data (Deeks & Higgins 2010): DerSimonian-Laird tau^2 from",
        "## Cochran's Q about the Mantel-Haenszel estimate",
      );
      pool = [
        `mh <- rma.mh(measure = ${rString(o.measure)}, ${args}, data = d, ${mhZero})`,
        'use <- !is.na(d$yi) & !is.na(d$vi)',
        'w <- 1 / d$vi[use]',
        'Q <- sum(w * (d$yi[use] - as.numeric(mh$beta))^2)',
        'tau2 <- if (sum(use) < 2) 0 else max(0, (Q - (sum(use) - 1)) / (sum(w) - sum(w^2) / sum(w)))',
        `rma(yi, vi, data = d, slab = study, tau2 = tau2, method = "DL", test = ${rString(test)}, ${levelArg})`,
      ];
    } else
      pool = [
        `rma(yi, vi, data = d, slab = study, method = ${rString(method)}, test = ${rString(test)}, ${levelArg}${control})`,
      ];
  }
  return [
    ...out,
    ...(out.length > 0 ? [''] : []),
    '## the fit of the rows d, with every option evsynth used',
    'pool <- function(d) {',
    ...pool.map((l) => `  ${l}`),
    '}',
    'nums <- function(r) c(as.numeric(r$beta), r$ci.lb, r$ci.ub, if (is.null(r$tau2)) 0 else r$tau2, r$I2)',
    ...CHECK_FN,
    '',
    'res <- pool(dat)',
    'print(res)',
    'check("evsynth-check: ", nums(res))',
  ];
}

const META_SM: Readonly<Record<string, string>> = { OR: 'OR', RR: 'RR', RD: 'RD', MD: 'MD', SMD: 'SMD', GEN: '' };

function metaBody(
  o: AnalysisOptions,
  method: string,
  test: string,
  level: number,
  cols: readonly EffectColumnName[],
  smdRevman: boolean,
  mhTau2: boolean,
  subgroups: boolean,
): string[] {
  const sm = META_SM[o.measure];
  if (sm === undefined)
    throw new EvsynthError('INVALID_ARGUMENT', `export r --package meta: measure ${o.measure} is not mapped to meta`);
  const common = method === 'EE' || method === 'FE' || method === 'MH' || method === 'PETO';
  const model = [
    ...(subgroups ? ['subgroup = subgroup'] : []),
    ...(common
      ? ['common = TRUE', 'random = FALSE']
      : [
          'common = FALSE',
          'random = TRUE',
          `method.tau = ${rString(method)}`,
          `method.random.ci = ${test === 'knha' ? '"HK"' : '"classic"'}`,
          ...(ITERATIVE.has(method) ? [CONTROL] : []),
        ]),
  ];
  const lvl = `level.ma = ${level / 100}`;
  const revman = o.convention === 'revman5';
  const out: string[] = ['## written for meta >= 7.0 (arguments common, random, method.random.ci, subgroup)'];
  let call: string;
  if (o.measure === 'OR' || o.measure === 'RR' || o.measure === 'RD') {
    const has = (c: string) => cols.includes(c as EffectColumnName);
    const n1 = has('n1i') ? 'n1i' : 'ai + bi',
      n2 = has('n2i') ? 'n2i' : 'ci + di';
    const meth = method === 'MH' || mhTau2 ? '"MH"' : method === 'PETO' ? '"Peto"' : '"Inverse"';
    call = `metabin(event.e = ai, n.e = ${n1}, event.c = ci, n.c = ${n2}, studlab = study, data = dat, sm = ${rString(sm)}, method = ${meth}, ${[
      ...model,
      lvl,
      ...(revman ? ['incr = 0.5', 'method.incr = "only0"', 'Q.Cochrane = TRUE', 'RR.Cochrane = TRUE'] : []),
    ].join(', ')})`;
  } else if (o.measure === 'MD' || o.measure === 'SMD') {
    call = `metacont(n.e = n1i, mean.e = m1i, sd.e = sd1i, n.c = n2i, mean.c = m2i, sd.c = sd2i, studlab = study, data = dat, sm = ${rString(sm)}, ${[
      ...(o.measure === 'SMD' ? ['method.smd = "Hedges"', `exact.smd = ${smdRevman ? 'FALSE' : 'TRUE'}`] : []),
      ...model,
      lvl,
    ].join(', ')})`;
  } else {
    const se = cols.includes('vi') ? 'sqrt(vi)' : cols.includes('sei') ? 'sei' : null;
    call =
      se !== null
        ? `metagen(TE = yi, seTE = ${se}, studlab = study, data = dat, ${[...model, lvl].join(', ')})`
        : `metagen(TE = yi, lower = ci_lb, upper = ci_ub, studlab = study, data = dat, ${[...model, lvl].join(', ')})`;
  }
  out.push(
    `res <- ${call}`,
    'print(res)',
    common
      ? 'nums <- function(r) c(r$TE.common, r$lower.common, r$upper.common, 0, 100 * r$I2)'
      : 'nums <- function(r) c(r$TE.random, r$lower.random, r$upper.random, r$tau2, 100 * r$I2)',
    ...CHECK_FN,
    'check("evsynth-check: ", nums(res))',
  );
  return out;
}
