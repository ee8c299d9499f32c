/**
 * A self-contained R script that reruns an evsynth analysis in R: the data inline, and the library call with
 * every option evsynth used (measure, method, test, level, zero-cell rule, RevMan's conventions), printing R's
 * result and one machine-readable line
 *
 * ```text
 * evsynth-check: estimate=… ci.lb=… ci.ub=… tau2=… I2=…
 * ```
 *
 * (analysis scale; I² in percent) that `tests/r-export.test.ts` compares with evsynth's numbers. metafor
 * (Viechtbauer 2010): `escalc` + `rma`, `rma.mh`, `rma.peto`; meta (Balduzzi, Rücker & Schwarzer 2019):
 * `metabin`, `metacont`, `metagen`. What R has no option for is written out as R code with its formula:
 * RevMan 5's SMD (Deeks & Higgins 2010), and τ² from Q about the Mantel–Haenszel estimate (RevMan 5's
 * random-effects model for binary data). Pure: returns text.
 */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumnName, EffectColumns } from '../effects/options.ts';
import { inputColumnsFound, measureSpec } from '../effects/registry.ts';
import type { AnalysisOptions } from '../analysis/meta-analysis.ts';
import { RMA_DEFAULTS } from '../models/rma.ts';

export const R_PACKAGES = ['metafor', 'meta'] as const;
export type RPackage = (typeof R_PACKAGES)[number];

export interface RScriptInput {
  readonly title: string;
  readonly labels: readonly string[];
  readonly columns: EffectColumns;
  readonly options: AnalysisOptions;
  /** Where the data came from (a comment in the script). */
  readonly source?: string;
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
 * cell (RevMan: the estimate from the raw counts, the variance from the corrected ones).
 */
export function revmanCaveats(o: AnalysisOptions, columns: EffectColumns, labels: readonly string[]): string[] {
  if (o.convention !== 'revman5' || !(o.measure === 'RR' || o.measure === 'RD' || o.measure === 'OR')) return [];
  const n = labels.length;
  const get = (c: EffectColumnName, i: number) => columns[c]?.[i] ?? Number.NaN;
  const out: string[] = [];
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
  }
  return out;
}

const CHECK = `cat(sprintf("evsynth-check: estimate=%.15g ci.lb=%.15g ci.ub=%.15g tau2=%.15g I2=%.15g\\n",`;

/** The R script (see the module's doc comment). */
export function rScript(input: RScriptInput, pkg: RPackage = 'metafor'): string {
  const o = input.options;
  const method = o.method ?? RMA_DEFAULTS.method;
  const test = o.test ?? 'z';
  const level = o.level ?? 95;
  const cols = usedColumns(o, input.columns);
  const k = input.labels.length;
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
      (o.drop00 !== undefined ? `, drop00 ${o.drop00}` : ''),
    '## Run: Rscript <this file>. The last line prints the pooled estimate (analysis scale), its CI, tau^2 and I^2 (%).',
  ];
  for (const c of revmanCaveats(o, input.columns, input.labels))
    lines.push(`## note: metafor cannot express RevMan 5's rule here, so R's value differs from evsynth's: ${c}`);
  lines.push(
    '',
    `library(${pkg})`,
    '',
    'dat <- data.frame(',
    `  study = ${vector(input.labels.map(rString), '  ')},`,
    ...cols.map(
      (c, j) =>
        `  ${c} = ${vector(
          Array.from({ length: k }, (_, i) => rNumber(input.columns[c]?.[i] ?? Number.NaN)),
          '  ',
        )}${j < cols.length - 1 ? ',' : ','}`,
    ),
    '  stringsAsFactors = FALSE',
    ')',
    '',
  );
  const args = cols.map((c) => `${c} = ${c}`).join(', ');
  const smdRevman = o.measure === 'SMD' && (o.smd === 'revman' || (o.smd === undefined && o.convention === 'revman5'));
  const mhTau2 =
    o.tau2From === 'mantel-haenszel' &&
    method === 'DL' &&
    (o.measure === 'OR' || o.measure === 'RR' || o.measure === 'RD');
  if (pkg === 'metafor') lines.push(...metaforBody(o, method, test, level, args, binary, smdRevman, mhTau2));
  else lines.push(...metaBody(o, method, test, level, cols, smdRevman, mhTau2));
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
  const check = (est: string, tau2: string) => [
    'print(res)',
    `${CHECK} ${est}, res$ci.lb, res$ci.ub, ${tau2}, res$I2))`,
  ];
  if (method === 'MH' || method === 'PETO') {
    const mhZero =
      o.convention === 'revman5'
        ? [
            `add = c(1/2, 1/2)`,
            `to = c("only0", "only0")`,
            `drop00 = c(${o.measure === 'RD' ? 'FALSE, FALSE' : 'TRUE, TRUE'})`,
          ]
        : zc;
    const call =
      method === 'MH'
        ? `rma.mh(measure = ${rString(o.measure)}, ${args}, data = dat, slab = study, ${[...mhZero, levelArg].join(', ')})`
        : `rma.peto(${args}, data = dat, slab = study, ${[...(o.convention === 'revman5' ? [] : zc), levelArg].join(', ')})`;
    return [`res <- ${call}`, ...check('as.numeric(res$beta)', '0')];
  }
  const out: string[] = [];
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
  const control = ITERATIVE.has(method) ? ', control = list(threshold = 1e-12, maxiter = 10000)' : '';
  if (mhTau2) {
    const mhZero = `add = c(1/2, 1/2), to = c("only0", "only0"), drop00 = c(${o.measure === 'RD' ? 'FALSE, FALSE' : 'TRUE, TRUE'})`;
    out.push(
      "## RevMan 5's random effects for binary data (Deeks & Higgins 2010): DerSimonian-Laird tau^2 from",
      "## Cochran's Q about the Mantel-Haenszel estimate",
      `mh <- rma.mh(measure = ${rString(o.measure)}, ${args}, data = dat, ${mhZero})`,
      'use <- !is.na(dat$yi) & !is.na(dat$vi)',
      'w <- 1 / dat$vi[use]',
      'Q <- sum(w * (dat$yi[use] - as.numeric(mh$beta))^2)',
      'tau2 <- max(0, (Q - (sum(use) - 1)) / (sum(w) - sum(w^2) / sum(w)))',
      `res <- rma(yi, vi, data = dat, slab = study, tau2 = tau2, method = "DL", test = ${rString(test)}, ${levelArg})`,
    );
  } else
    out.push(
      `res <- rma(yi, vi, data = dat, slab = study, method = ${rString(method === 'FE' ? 'FE' : method)}, test = ${rString(test)}, ${levelArg}${control})`,
    );
  return [...out, ...check('as.numeric(res$beta)', 'res$tau2')];
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
): string[] {
  const sm = META_SM[o.measure];
  if (sm === undefined)
    throw new EvsynthError('INVALID_ARGUMENT', `export r --package meta: measure ${o.measure} is not mapped to meta`);
  const common = method === 'EE' || method === 'FE' || method === 'MH' || method === 'PETO';
  const model = common
    ? ['common = TRUE', 'random = FALSE']
    : [
        'common = FALSE',
        'random = TRUE',
        `method.tau = ${rString(method)}`,
        `method.random.ci = ${test === 'knha' ? '"HK"' : '"classic"'}`,
      ];
  const lvl = `level.ma = ${level / 100}`;
  const revman = o.convention === 'revman5';
  const out: string[] = ['## written for meta >= 7.0 (arguments common, random, method.random.ci)'];
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
  out.push(`res <- ${call}`, 'print(res)');
  out.push(
    common
      ? `${CHECK} res$TE.common, res$lower.common, res$upper.common, 0, 100 * res$I2))`
      : `${CHECK} res$TE.random, res$lower.random, res$upper.random, res$tau2, 100 * res$I2))`,
  );
  return out;
}
