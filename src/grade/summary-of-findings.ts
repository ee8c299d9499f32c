/**
 * The Summary of Findings table of a GRADE spec (GRADE Handbook, Schünemann et al. 2013, §5 and §9; Cochrane
 * Handbook v6.4 ch. 14): per outcome, № participants (studies), the relative effect with its CI, the
 * anticipated absolute effects (risk with comparator and with intervention per 1,000 from the assumed risks;
 * the mean difference; an SMD re-expressed on a familiar scale or with Cohen's interpretation), the
 * suggested ratings with their rules, the panel's judgements and the certainty with footnotes.
 *
 * An outcome with study rows is analysed through {@link analyzeTable} with the spec's options; an outcome
 * that points at a published pooled claim takes the claim's numbers as printed and is marked as such. No
 * number here is computed outside the engine's modules: this module assembles their results.
 */
import { analyzeTable, overallOf, type AnalysisResult } from '../analysis/analyze.ts';
import { publicationBias } from '../analysis/diagnostics.ts';
import { studyWeights, type MetaAnalysis } from '../analysis/meta-analysis.ts';
import { pooledSummary, type PooledSummary } from '../analysis/pooled-summary.ts';
import type { AnalysisOptions } from '../analysis/meta-analysis.ts';
import type { AnalysisRequest } from '../analysis/request.ts';
import { EvsynthError } from '../core/errors.ts';
import { measureLabel, RATIO_MEASURES, type Measure } from '../effects/registry.ts';
import { lowRiskRows, readRiskOfBias, robSummary, type RiskOfBias } from '../evidence/risk-of-bias.ts';
import type { PooledClaim } from '../evidence/claims.ts';
import { selectRows, studyLabels, type DataTable } from '../io/csv.ts';
import { readCsv } from '../io/csv-file.ts';
import { loadDataset, type Dataset } from '../evidence/datasets.ts';
import { formatNumber } from '../core/format.ts';
import { absoluteEffect, differenceWords, type RelativeMeasure } from './absolute-effects.ts';
import {
  certaintySymbols,
  DOMAIN_NAMES,
  GRADE_DOMAINS,
  rateCertainty,
  type CertaintyLevel,
  type CertaintyRating,
  type GradeDomain,
} from './certainty.ts';
import { optimalInformationSizeBinary, optimalInformationSizeContinuous } from './optimal-information-size.ts';
import { reexpressSmd, smdMagnitude } from './smd-reexpression.ts';
import type { GradeSpec, Judgement, OutcomeSpec } from './spec.ts';
import {
  suggestImprecision,
  suggestInconsistency,
  suggestPublicationBias,
  suggestRiskOfBias,
  type Suggestion,
  type Thresholds,
} from './suggestions.ts';

/** One outcome's row of the table, as plain data (JSON, Markdown, CSV, HTML and Word are written from it). */
export interface SofOutcome {
  readonly id: string;
  readonly name: string;
  readonly importance: string | null;
  readonly followUp: string | null;
  /** 'computed' from study rows, or 'published claim' (no study rows: the review's printed numbers). */
  readonly basis: 'computed' | 'published claim';
  /** Where the numbers come from: dataset or claim with its citation. */
  readonly source: string;
  readonly measure: string;
  readonly ratio: boolean;
  readonly k: number | null;
  readonly studies: number | null;
  readonly participants: number | null;
  /** "4,109 (39 RCTs)". */
  readonly participantsText: string;
  /** Estimate, CI and PI on the analysis scale (log for ratios); PI null when not available. */
  readonly estimate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly piLower: number | null;
  readonly piUpper: number | null;
  readonly I2: number | null;
  readonly tau2: number | null;
  /** "RR 0.10 (0.04 to 0.26)", or the effect of a continuous measure. */
  readonly relativeText: string;
  /** Binary outcomes: one line per assumed comparator risk. */
  readonly absolute: readonly {
    readonly label: string;
    readonly comparator: string;
    readonly intervention: string;
    readonly difference: string;
    readonly source: string;
  }[];
  /** Continuous outcomes: the comparator mean and the effect in words. */
  readonly comparatorText: string | null;
  readonly interventionText: string | null;
  readonly suggestions: readonly Suggestion[];
  readonly judgements: Readonly<Record<GradeDomain, Judgement>>;
  readonly upgrades: OutcomeSpec['upgrades'];
  readonly rating: CertaintyRating;
  /** The certainty shown: rated from the domains, else as stated by a source, else null (not rated). */
  readonly certainty: CertaintyLevel | null;
  /** "⊕⊕⊕◯ Moderate", or "Not rated". */
  readonly certaintyText: string;
  readonly certaintyBasis: string;
  readonly footnotes: readonly string[];
  readonly comments: string | null;
}

export interface SummaryOfFindings {
  readonly title: string;
  readonly question: GradeSpec['question'];
  readonly panel: string;
  readonly outcomes: readonly SofOutcome[];
  readonly references: readonly string[];
}

/** What the report needs beyond the table: the data and the analyses of a computed outcome. */
export interface OutcomeAnalysis {
  readonly table: DataTable;
  readonly dataset: Dataset | null;
  /** The analysis request of the spec (as the plots ask for it) and the options it resolved to. */
  readonly analysisRequest: AnalysisRequest;
  readonly options: AnalysisOptions;
  readonly result: AnalysisResult;
  readonly summary: PooledSummary;
  readonly rob: RiskOfBias | null;
  /** The low-risk sensitivity analysis, when RoB columns exist and some but not all studies are low risk. */
  readonly lowRisk: {
    readonly summary: PooledSummary;
    readonly left: readonly { label: string; reason: string }[];
  } | null;
  readonly eggerP: number | null;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function thresholdsOf(o: OutcomeSpec, ratio: boolean): Thresholds | null {
  if (o.mid !== undefined) {
    const m = o.mid.value;
    if (ratio) {
      const l = Math.abs(Math.log(m));
      return [-l, l];
    }
    return [-m, m];
  }
  // GRADE 6's rough guide for ratio measures when no MID is given
  return ratio ? [Math.log(0.75), Math.log(1.25)] : null;
}

function oisOf(o: OutcomeSpec, binary: boolean): number | null {
  const alpha = o.ois?.alpha ?? 0.05,
    power = o.ois?.power ?? 0.8;
  if (binary) {
    const risk = o.comparatorRisks?.[0]?.risk;
    return risk === undefined ? null : optimalInformationSizeBinary(risk, o.ois?.rrr ?? 0.25, alpha, power);
  }
  return optimalInformationSizeContinuous(o.ois?.delta ?? 0.2, 1, alpha, power);
}

function oisRule(o: OutcomeSpec, binary: boolean): string {
  const ap = `α = ${o.ois?.alpha ?? 0.05}, power ${o.ois?.power ?? 0.8}`;
  return binary
    ? `optimal information size for a relative risk reduction of ${(100 * (o.ois?.rrr ?? 0.25)).toFixed(0)}% at a comparator risk of ${o.comparatorRisks?.[0]?.risk ?? '—'} (${ap})`
    : `optimal information size for a difference of ${o.ois?.delta ?? 0.2} SD (${ap})`;
}

/** Loads and analyses an outcome with study rows. */
function analyseRows(o: OutcomeSpec & { source: { kind: 'rows' } }, file: string): OutcomeAnalysis {
  const src = o.source;
  let table: DataTable, dataset: Dataset | null;
  if (src.dataset !== undefined) {
    dataset = loadDataset(src.dataset);
    if (dataset.table === null)
      throw new EvsynthError(
        'INVALID_VALUE',
        `outcome '${o.id}': dataset '${src.dataset}' has no study rows; point the outcome at one of its published claims ("claim": "${src.dataset}#…")`,
        { file },
      );
    table = dataset.table;
  } else {
    dataset = null;
    table = readCsv(src.csv as string);
  }
  const context = dataset ? { measure: dataset.provenance.measure } : {};
  const { by: _by, ...single } = src.analysis;
  const { options, result } = analyzeTable(table, src.analysis, context);
  const a: MetaAnalysis = overallOf(result);
  const summary = pooledSummary(a, table);
  const rob = readRiskOfBias(table);
  let lowRisk: OutcomeAnalysis['lowRisk'] = null;
  if (rob !== null) {
    const { kept, left } = lowRiskRows(rob, studyLabels(table));
    if (kept.length > 0 && left.length > 0) {
      const sub = selectRows(table, kept);
      lowRisk = { summary: pooledSummary(overallOf(analyzeTable(sub, single, context).result), sub), left };
    }
  }
  const eggerP =
    a.model.kind === 'rma' && summary.k >= 10 ? (publicationBias(a, { egger: true }).egger?.pValue ?? null) : null;
  return { table, dataset, analysisRequest: src.analysis, options, result, summary, rob, lowRisk, eggerP };
}

/** Weight shares at low and at high overall risk of bias (percent of the analysis weight). */
function robShares(x: OutcomeAnalysis): { low: number; high: number } | null {
  if (x.rob === null) return null;
  const a = overallOf(x.result);
  const w = studyWeights(a);
  const perRow = x.table.rows.map(() => Number.NaN);
  a.studies.rows.forEach((row, j) => {
    perRow[a.inputRows[row] as number] = w[j] as number;
  });
  const overall = robSummary(x.rob, perRow).at(-1);
  const share = (levels: readonly string[]) =>
    (overall?.shares ?? []).filter((s) => levels.includes(s.level)).reduce((s, v) => s + v.percent, 0);
  return { low: share(['low']), high: share(['high', 'serious', 'critical']) };
}

function resolveClaim(ref: string, file: string, id: string): { claim: PooledClaim; dataset: Dataset } {
  const [name, claimId] = ref.split('#') as [string, string];
  const dataset = loadDataset(name);
  const claim = dataset.provenance.claims.find((c) => c.id === claimId);
  if (claim === undefined)
    throw new EvsynthError('INVALID_VALUE', `outcome '${id}': no claim '${claimId}' in dataset '${name}'`, { file });
  if (claim.kind !== 'pooled')
    throw new EvsynthError(
      'INVALID_VALUE',
      `outcome '${id}': claim '${ref}' is a ${claim.kind} claim; expected a pooled result`,
      {
        file,
      },
    );
  if (claim.ciLower === undefined || claim.ciUpper === undefined)
    throw new EvsynthError('INVALID_VALUE', `outcome '${id}': claim '${ref}' has no CI`, { file });
  return { claim, dataset };
}

/** The table of a spec, and the analyses of its computed outcomes by outcome id. */
export function summaryOfFindings(spec: GradeSpec): {
  readonly sof: SummaryOfFindings;
  readonly analyses: ReadonlyMap<string, OutcomeAnalysis>;
} {
  const analyses = new Map<string, OutcomeAnalysis>();
  const outcomes = spec.outcomes.map((o): SofOutcome => {
    let measure: string, basis: SofOutcome['basis'], source: string;
    let s: Pick<PooledSummary, 'estimate' | 'ciLower' | 'ciUpper' | 'piLower' | 'piUpper'> & {
      k: number | null;
      studies: number | null;
      participants: number | null;
      I2: number | null;
      tau2: number | null;
    };
    const footnotes: string[] = [];
    let x: OutcomeAnalysis | null = null;
    if (o.source.kind === 'rows') {
      x = analyseRows(o as OutcomeSpec & { source: { kind: 'rows' } }, spec.file);
      analyses.set(o.id, x);
      measure = x.options.measure;
      basis = 'computed';
      const p = x.dataset?.provenance;
      source = p ? `${p.title}; ${p.review.citation}` : `${o.source.csv}`;
      s = { ...x.summary };
      footnotes.push(
        `Computed by evsynth from ${x.summary.k} study rows (${p ? `dataset ${x.dataset?.name}` : o.source.csv}): ${measureLabel(x.options.measure as Measure)}, ${String(x.options.method)}${x.options.smd === 'revman' ? ", RevMan's SMD" : ''}, ${x.options.level ?? 95}% CI.`,
      );
    } else {
      const { claim, dataset } = resolveClaim(o.source.claim, spec.file, o.id);
      measure = claim.measure;
      basis = 'published claim';
      const nat = claim.scale === 'natural';
      const tr = (v: number) => (nat ? Math.log(v) : v);
      s = {
        estimate: tr(claim.estimate),
        ciLower: tr(claim.ciLower as number),
        ciUpper: tr(claim.ciUpper as number),
        piLower: null,
        piUpper: null,
        k: claim.k ?? null,
        studies: claim.k ?? null,
        participants: o.participants?.value ?? claim.participants ?? null,
        I2: claim.heterogeneity?.I2 ?? null,
        tau2: claim.heterogeneity?.tau2 ?? null,
      };
      source = `${dataset.provenance.review.citation}: ${claim.description} (${claim.source})`;
      footnotes.push(
        `Published result, not recomputed: no study rows are available (${dataset.provenance.rows.missing ?? 'see the dataset'}). As printed: ${claim.quote ? `"${claim.quote}"` : `${claim.estimate} (${claim.ciLower} to ${claim.ciUpper})`} (${claim.source}).`,
      );
      if (o.participants !== undefined) footnotes.push(`№ of participants: ${o.participants.source}.`);
    }
    const ratio = RATIO_MEASURES.has(measure as Measure) || measure === 'RR' || measure === 'OR';
    const show = (v: number) => formatNumber(ratio ? Math.exp(v) : v, 2);
    const relMeasure: RelativeMeasure | null =
      measure === 'RR' ? 'RR' : measure === 'OR' || measure === 'PETO' ? 'OR' : measure === 'RD' ? 'RD' : null;
    const binary = relMeasure !== null;
    const thresholds = thresholdsOf(o, ratio);
    // suggestions
    const ois = oisOf(o, binary);
    const suggestions: Suggestion[] = [];
    suggestions.push(x ? suggestRiskOfBias(robShares(x)) : suggestRiskOfBias(null));
    suggestions.push(
      x
        ? suggestInconsistency(x.summary, thresholds, show)
        : {
            domain: 'inconsistency',
            rating: null,
            rule: 'needs the study rows (I² and the prediction interval)',
            basis: s.I2 !== null ? `published I² = ${s.I2}%; no prediction interval without rows` : 'no study rows',
          },
    );
    suggestions.push({
      domain: 'indirectness',
      rating: null,
      rule: 'never suggested: a judgement about the question (population, intervention, comparator, outcome)',
      basis: '—',
    });
    const imp = suggestImprecision(
      { ciLower: s.ciLower, ciUpper: s.ciUpper, participants: s.participants },
      thresholds,
      ois,
      show,
    );
    suggestions.push({
      ...imp,
      rule: `${imp.rule}; ${oisRule(o, binary)}${thresholds === null ? '; no MID given, so only the null is used' : ''}`,
    });
    const pb = x ? suggestPublicationBias(x.summary.k, x.eggerP) : suggestPublicationBias(0, null);
    suggestions.push(x ? pb : { ...pb, basis: 'no study rows: no funnel plot or test of small-study effects' });
    // the panel's judgements, with footnotes where they differ from a suggestion
    const ratings = Object.fromEntries(GRADE_DOMAINS.map((d) => [d, o.judgements[d].rating])) as Record<
      GradeDomain,
      Judgement['rating']
    >;
    for (const d of GRADE_DOMAINS) {
      const j = o.judgements[d];
      const sg = suggestions.find((g) => g.domain === d);
      const differs = sg !== undefined && sg.rating !== null && j.rating !== 'not assessed' && sg.rating !== j.rating;
      if (j.rating === 'serious' || j.rating === 'very serious')
        footnotes.push(
          `Rated down ${j.rating === 'serious' ? 'one level' : 'two levels'} for ${DOMAIN_NAMES[d]}: ${j.reason}`,
        );
      else if (j.rating === 'not assessed') footnotes.push(`${cap(DOMAIN_NAMES[d])} not assessed: ${j.reason}`);
      if (differs)
        footnotes.push(
          `evsynth suggested '${sg.rating}' for ${DOMAIN_NAMES[d]} (${sg.basis}); the panel judged '${j.rating}': ${j.reason}`,
        );
    }
    for (const u of o.upgrades ?? []) footnotes.push(`Rated up ${u.levels} level(s) for ${u.domain}: ${u.reason}`);
    const upgrades = (o.upgrades ?? []).reduce((t, u) => t + u.levels, 0);
    const rating = rateCertainty(o.design, ratings, Math.min(2, upgrades));
    let certainty: CertaintyLevel | null = rating.level;
    let certaintyBasis = `rated from the five domains (start: ${rating.start}, ${o.design} evidence; ${rating.downgrades} level(s) down, ${rating.upgrades} up)`;
    if (certainty === null && o.statedCertainty !== undefined) {
      certainty = o.statedCertainty.level;
      certaintyBasis = `as stated by ${o.statedCertainty.source}${o.statedCertainty.quote ? ` ("${o.statedCertainty.quote}")` : ''}; not rated here (domains not assessed: ${rating.notAssessed.map((d) => DOMAIN_NAMES[d]).join(', ')})`;
      footnotes.push(`Certainty ${certainty}: ${certaintyBasis}.`);
    } else if (certainty === null) {
      certaintyBasis = `not rated: ${rating.notAssessed.map((d) => DOMAIN_NAMES[d]).join(', ')} not assessed`;
      footnotes.push(`Certainty not rated: ${rating.notAssessed.map((d) => DOMAIN_NAMES[d]).join(', ')} not assessed.`);
    }
    const certaintyText = certainty === null ? 'Not rated' : `${certaintySymbols(certainty)} ${cap(certainty)}`;
    // effects
    const ci = `${show(s.estimate)} (${show(s.ciLower)} to ${show(s.ciUpper)})`;
    let relativeText = `${measure} ${ci}`;
    const absolute: SofOutcome['absolute'][number][] = [];
    let comparatorText: string | null = null,
      interventionText: string | null = null;
    if (binary) {
      const nat = (v: number) => (relMeasure === 'RD' ? v : Math.exp(v));
      for (const r of o.comparatorRisks ?? []) {
        const ae = absoluteEffect(relMeasure, nat(s.estimate), nat(s.ciLower), nat(s.ciUpper), r.risk);
        const per = (v: number) => `${Math.round(v)} per 1,000`;
        absolute.push({
          label: r.label,
          comparator: per(ae.comparator),
          intervention: `${per(ae.intervention.estimate)} (${Math.round(ae.intervention.lower)} to ${Math.round(ae.intervention.upper)})`,
          difference: differenceWords(ae.difference),
          source: r.source,
        });
        footnotes.push(`Assumed comparator risk (${r.label}, ${per(ae.comparator)}): ${r.source}.`);
      }
      if (absolute.length === 0) footnotes.push('No assumed comparator risk given: no absolute effects.');
    } else {
      relativeText = '—';
      comparatorText = o.comparatorMean ? o.comparatorMean.text : null;
      if (o.comparatorMean) footnotes.push(`Comparator mean: ${o.comparatorMean.source}.`);
      const dir = (v: number, unit = '') =>
        v < 0 ? `${formatNumber(-v, 2)}${unit} lower` : `${formatNumber(v, 2)}${unit} higher`;
      const smd = measure === 'SMD' || measure === 'SMDH';
      interventionText = `${smd ? 'SMD' : `The mean (${measureLabel(measure as Measure)}) was`} ${dir(s.estimate, smd ? ' SD' : '')} (${dir(s.ciLower)} to ${dir(s.ciUpper)})`;
      if ((measure === 'SMD' || measure === 'SMDH') && o.familiarScale) {
        const re = reexpressSmd(s.estimate, s.ciLower, s.ciUpper, o.familiarScale.sd);
        interventionText += `; on ${o.familiarScale.name}: ${dir(re.estimate)} (${dir(re.lower)} to ${dir(re.upper)})`;
        footnotes.push(
          `SMD re-expressed as SMD × SD with SD ${o.familiarScale.sd} on ${o.familiarScale.name} (Cochrane Handbook §15.5.3.2): ${o.familiarScale.source}.`,
        );
      } else if (measure === 'SMD' || measure === 'SMDH')
        interventionText += `; a ${smdMagnitude(s.estimate)} effect by Cohen's rule of thumb (0.2 small, 0.5 moderate, 0.8 large; Cochrane Handbook §15.5.3.1)`;
    }
    if (o.mid !== undefined) footnotes.push(`Minimal important difference ${o.mid.value}: ${o.mid.source}.`);
    const n = s.participants;
    const design = o.design === 'randomised' ? 'RCT' : 'non-randomised stud';
    const nStudies = s.studies ?? s.k;
    const kText =
      nStudies === null
        ? ''
        : ` (${nStudies} ${design}${o.design === 'randomised' ? (nStudies === 1 ? '' : 's') : nStudies === 1 ? 'y' : 'ies'})`;
    return {
      id: o.id,
      name: o.name,
      importance: o.importance ?? null,
      followUp: o.followUp ?? null,
      basis,
      source,
      measure,
      ratio,
      k: s.k,
      studies: s.studies,
      participants: n,
      participantsText: `${n === null ? 'not reported' : n.toLocaleString('en-US')}${kText}`,
      estimate: s.estimate,
      ciLower: s.ciLower,
      ciUpper: s.ciUpper,
      piLower: s.piLower,
      piUpper: s.piUpper,
      I2: s.I2,
      tau2: s.tau2,
      relativeText,
      absolute,
      comparatorText,
      interventionText,
      suggestions,
      judgements: o.judgements,
      upgrades: o.upgrades,
      rating,
      certainty,
      certaintyText,
      certaintyBasis,
      footnotes,
      comments: o.comments ?? null,
    };
  });
  return {
    sof: { title: spec.title, question: spec.question, panel: spec.panel, outcomes, references: spec.references ?? [] },
    analyses,
  };
}
