/**
 * `evsynth report`: one self-contained HTML file for a GRADE spec (inline CSS and inline SVG plots, no
 * script, no external request): the Summary of Findings table; per outcome the forest plot (with RoB columns
 * where the data have them), the risk-of-bias plots, the funnel plot and the small-study tests where k ≥ 10,
 * sensitivity analyses (leave-one-out, low risk of bias only), heterogeneity, the suggested ratings beside the
 * panel's judgements, the reproduce verdicts of the data's published claims and the data's provenance; and an
 * auto-written methods paragraph with references. Printable on A4 with a page break between outcomes.
 * Every number comes from the analysis modules (through the SoF builder and the plot registry).
 */
import { readFileSync } from 'node:fs';
import { overallOf } from '../analysis/analyze.ts';
import { publicationBias, sensitivityAnalyses } from '../analysis/diagnostics.ts';
import { checkClaim, datasetResolver, reproduceDataset } from '../analysis/reproduce.ts';
import { measureLabel, type Measure } from '../effects/registry.ts';
import { i2BandText } from '../evidence/heterogeneity-bands.ts';
import { ROB_TOOLS } from '../evidence/risk-of-bias.ts';
import type { GradeSpec } from '../grade/spec.ts';
import { summaryOfFindings, type OutcomeAnalysis, type SofOutcome } from '../grade/summary-of-findings.ts';
import { loadDataset, type Dataset } from '../evidence/datasets.ts';
import { plotSpec, type PlotKind } from '../plots/registry.ts';
import { renderSvg } from '../plots/render.ts';
import { formatNumber, formatPValue } from '../core/format.ts';
import { escapeHtml as esc, judgementsHtml, sofHtmlFragment, SOF_CSS } from './sof-text.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const REPORT_CSS = `${SOF_CSS}
h1 { font-size: 17pt; } h2 { font-size: 14pt; border-bottom: 1px solid #999; } h3 { font-size: 11.5pt; }
.figure { margin: 0.6em 0; overflow-x: auto; } .figure svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 9pt; } .claim { border-left: 3px solid #b03a2e; padding-left: 8px; }
table.small td, table.small th { font-size: 9pt; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } section.outcome, section.methods { page-break-before: always; break-before: page; } .figure { overflow: visible; } }
`;

/** Renders a plot kind of the registry as inline SVG (its XML declaration dropped). */
async function figure(
  kind: PlotKind,
  x: OutcomeAnalysis,
  title: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { by: _by, ...request } = x.analysisRequest;
  const spec = await plotSpec(kind, {
    table: x.table,
    analysis: kind === 'forest' ? x.analysisRequest : request,
    context: x.dataset ? { measure: x.dataset.provenance.measure } : {},
    title,
    ...extra,
  });
  const svg = (await renderSvg(spec)).replace(/^<\?xml[^>]*>\s*/, '');
  return `<div class="figure" data-plot="${kind}">${svg}</div>`;
}

const f2 = (x: number | null | undefined) => formatNumber(x, 2);

function heterogeneityHtml(o: SofOutcome, x: OutcomeAnalysis): string {
  const s = x.summary;
  const show = (v: number) => f2(o.ratio ? Math.exp(v) : v);
  return `<p>Heterogeneity: τ² = ${s.tau2 === null ? '— (common-effect model)' : formatNumber(s.tau2, 3)}; Q = ${f2(s.Q)}, df = ${s.QDf} (P ${formatPValue(s.QPValue)}); I² = ${formatNumber(s.I2, 0)}% (${esc(i2BandText(s.I2))} heterogeneity by the Cochrane Handbook's bands, §10.10.2)${s.piLower !== null && s.piUpper !== null ? `; 95% prediction interval ${show(s.piLower)} to ${show(s.piUpper)}` : ''}.</p>`;
}

async function sensitivityHtml(o: SofOutcome, x: OutcomeAnalysis): Promise<string> {
  const show = (v: number) => f2(o.ratio ? Math.exp(v) : v);
  const parts: string[] = [];
  const a = overallOf(x.result);
  if (a.model.kind === 'rma' && x.summary.k >= 3) {
    const s = await sensitivityAnalyses(a, { leaveOneOut: true });
    const l = s.leaveOneOut;
    if (l) {
      let lo = 0,
        hi = 0;
      l.estimate.forEach((e, i) => {
        if (e < (l.estimate[lo] as number)) lo = i;
        if (e > (l.estimate[hi] as number)) hi = i;
      });
      const excl = Array.from(l.ciLower).filter((v, i) => v > 0 || (l.ciUpper[i] as number) < 0).length;
      parts.push(
        `<p>Leave-one-out: the pooled estimate ranges from ${show(l.estimate[lo] as number)} (without ${esc(s.labels[lo] ?? '')}) to ${show(l.estimate[hi] as number)} (without ${esc(s.labels[hi] ?? '')}); ${excl} of ${l.estimate.length} leave-one-out CIs exclude the null.</p>`,
      );
    }
  }
  if (x.lowRisk) {
    const r = x.lowRisk.summary;
    parts.push(
      `<p>Studies at low overall risk of bias only (${r.k} of ${x.summary.k}): ${show(r.estimate)} (${show(r.ciLower)} to ${show(r.ciUpper)}), I² = ${formatNumber(r.I2, 0)}%; left out: ${x.lowRisk.left.map((l) => `${esc(l.label)} (${esc(l.reason)})`).join('; ')}.</p>`,
    );
  } else if (x.rob === null)
    parts.push('<p>Low-risk-of-bias sensitivity analysis: not possible, the data have no risk-of-bias judgements.</p>');
  return parts.join('\n');
}

function biasHtml(o: SofOutcome, x: OutcomeAnalysis): string {
  const a = overallOf(x.result);
  if (x.summary.k < 10 || a.model.kind !== 'rma')
    return `<p>Funnel plot and tests for small-study effects: not shown with ${x.summary.k} studies (fewer than 10; Cochrane Handbook §13.3.5.4).</p>`;
  const b = publicationBias(a, { egger: true, begg: true, trimfill: true });
  const show = (v: number) => f2(o.ratio ? Math.exp(v) : v);
  const lines = [
    b.egger
      ? `Egger's regression test (metafor regtest, predictor sei): z = ${f2(b.egger.statistic)}, P ${formatPValue(b.egger.pValue)}; limit estimate ${show(b.egger.limit.estimate)}`
      : '',
    b.begg
      ? `Begg's rank correlation: Kendall's τ = ${formatNumber(b.begg.tau, 3)}, P ${formatPValue(b.begg.pValue)}`
      : '',
    b.trimfill
      ? `trim and fill (${b.trimfill.estimator}): ${b.trimfill.k0} studies filled on the ${b.trimfill.side}; adjusted estimate ${show(b.trimfill.fit.coefficients[0]?.estimate as number)} (${show(b.trimfill.fit.coefficients[0]?.ciLower as number)} to ${show(b.trimfill.fit.coefficients[0]?.ciUpper as number)})`
      : '',
    ...b.skipped.map((s) => `${s.test}: not run (${s.reason})`),
  ].filter(Boolean);
  return `<p>${lines.map(esc).join('; ')}.</p>`;
}

function provenanceHtml(ds: Dataset | null, fallback: string): string {
  if (ds === null) return `<p class="note">Data: ${esc(fallback)} (a CSV file; no provenance record).</p>`;
  const p = ds.provenance;
  const src = p.rows.source;
  const items = [
    `Review: ${p.review.citation}${p.review.doi ? `, doi:${p.review.doi}` : ''}`,
    p.analysis
      ? `Analysis: ${[p.analysis.number, p.analysis.outcome, p.analysis.timepoint].filter(Boolean).join('; ')}`
      : '',
    `Rows: ${p.rows.status}. ${src.description}${src.repository ? ` (repository ${src.repository}${src.commit ? ` @ ${src.commit.slice(0, 10)}` : ''})` : ''}${src.table ? `, ${src.table}` : ''}`,
    p.rows.missing ? `Missing: ${p.rows.missing}` : '',
    p.riskOfBias
      ? `Risk of bias (${p.riskOfBias.tool}): ${p.riskOfBias.source}`
      : 'Risk of bias: no judgements in the data',
    `Licence: ${p.licence}`,
    ...(p.history ?? []).map((h) => `Update ${h.date}: ${h.description} (source: ${h.source})`),
  ].filter(Boolean);
  return `<ul class="note">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
}

function verdictsHtml(ds: Dataset | null): string {
  if (ds === null) return '';
  const r = reproduceDataset(
    ds,
    datasetResolver((n) => loadDataset(n)),
  );
  const counts = Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');
  const claims = r.checks.filter((c) => !c.kind.startsWith('study-'));
  return `<p>Published claims of the dataset, checked by <code>evsynth reproduce ${esc(ds.name)}</code>: ${esc(counts || 'none')}${r.checks.length > claims.length ? ' (including the per-study effects, CIs and weights RevMan printed)' : ''}.</p>${
    claims.length
      ? `<table class="small"><thead><tr><th>Claim</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>${claims
          .map((c) => `<tr><td>${esc(c.claim)}</td><td>${esc(c.verdict)}</td><td>${esc(c.detail)}</td></tr>`)
          .join('')}</tbody></table>`
      : ''
  }`;
}

async function outcomeSection(o: SofOutcome, x: OutcomeAnalysis | undefined, spec: GradeSpec): Promise<string> {
  const head = `<section class="outcome" id="outcome-${esc(o.id)}" data-outcome="${esc(o.id)}" data-estimate="${o.estimate}" data-ci-lower="${o.ciLower}" data-ci-upper="${o.ciUpper}">
<h2>${esc(o.name)}</h2>
<p>${esc(o.basis === 'computed' ? 'Computed from study rows' : 'Published result, not recomputed (no study rows)')}: ${esc(o.source)}</p>
<p>Effect: ${esc(o.absolute.length ? `${o.relativeText}; ${o.absolute.map((a) => `${a.label}: ${a.comparator} → ${a.intervention}, ${a.difference}`).join('; ')}` : (o.interventionText ?? ''))}. № of participants (studies): ${esc(o.participantsText)}. Certainty: ${esc(o.certaintyText)}.</p>`;
  const judgements = `<h3>Certainty of the evidence: suggested ratings and the panel's judgements</h3><p>${esc(o.certaintyText)}: ${esc(o.certaintyBasis)}.</p>${judgementsHtml(o)}`;
  if (x === undefined) {
    const outcome = spec.outcomes.find((s) => s.id === o.id);
    const ref = outcome?.source.kind === 'claim' ? outcome.source.claim : '';
    const [name, id] = ref.split('#') as [string, string];
    const ds = loadDataset(name);
    const claim = ds.provenance.claims.find((c) => c.id === id);
    const check = claim
      ? checkClaim(
          claim,
          ds,
          datasetResolver((n) => loadDataset(n)),
        )
      : null;
    return `${head}
<div class="claim"><p>As published${claim?.quote ? `: “${esc(claim.quote)}”` : ''} (${esc(claim?.source ?? '')}).</p>
<p>No forest plot, heterogeneity, funnel plot or sensitivity analysis: the study rows of this review are not available (${esc(ds.provenance.rows.missing ?? '')}). A transcription template is shipped: <code>datasets/${esc(ds.name)}/${esc(ds.provenance.rows.template ?? '')}</code>.</p>
${check ? `<p>Reproduce verdict of the claim: <b>${esc(check.verdict)}</b> (${esc(check.detail)}).</p>` : ''}</div>
${judgements}
<h3>Data provenance</h3>${provenanceHtml(ds, ref)}
</section>`;
  }
  const measure = measureLabel(x.options.measure as Measure);
  const rob = x.rob
    ? `<h3>Risk of bias (${esc(ROB_TOOLS[x.rob.tool].name)})</h3>${await figure('rob-traffic-light', x, `Risk of bias: ${o.name}`)}${await figure('rob-summary', x, 'Risk of bias, share of the analysis weight')}`
    : `<h3>Risk of bias</h3><p>The data have no per-study risk-of-bias judgements (${x.dataset?.provenance.riskOfBias ? '' : 'none in the source rows'}); see the panel's judgement below.</p>`;
  const funnel =
    x.summary.k >= 10 && overallOf(x.result).model.kind === 'rma'
      ? await figure('funnel', x, `Funnel plot: ${o.name}`, { contour: true })
      : '';
  return `${head}
<h3>Forest plot (${esc(measure)}${x.analysisRequest.by ? `, by ${esc(x.analysisRequest.by)}` : ''})</h3>
${await figure('forest', x, o.name, { width: 1100 })}
<h3>Heterogeneity</h3>${heterogeneityHtml(o, x)}
${rob}
<h3>Small-study effects</h3>${funnel}${biasHtml(o, x)}
<h3>Sensitivity analyses</h3>${await sensitivityHtml(o, x)}
${judgements}
<h3>Published claims and data provenance</h3>${verdictsHtml(x.dataset)}${provenanceHtml(x.dataset, x.table.file)}
</section>`;
}

function methodsHtml(analyses: ReadonlyMap<string, OutcomeAnalysis>, spec: GradeSpec): string {
  const models = [...analyses.entries()].map(([id, x]) => {
    const o = x.options;
    const method = String(o.method);
    const model =
      method === 'EE' || method === 'FE'
        ? 'a common-effect (inverse-variance) model'
        : method === 'MH'
          ? 'the Mantel–Haenszel method'
          : method === 'PETO'
            ? "Peto's method"
            : `a random-effects model with the ${method === 'DL' ? 'DerSimonian–Laird' : method === 'REML' ? 'restricted maximum-likelihood (REML)' : method} estimator of τ²`;
    const smd =
      o.measure === 'SMD'
        ? o.smd === 'revman'
          ? ", as Hedges' adjusted g with Review Manager 5's approximation"
          : " (Hedges' g)"
        : '';
    const ci = o.test === 'knha' ? 'Knapp–Hartung t-based confidence intervals' : 'Wald-type (z) confidence intervals';
    const pi =
      o.piType === 'riley'
        ? 't-distribution with k − 2 degrees of freedom (Higgins, Thompson & Spiegelhalter 2009)'
        : "the normal quantile (metafor's default)";
    return `For ${esc(spec.outcomes.find((s) => s.id === id)?.name ?? id)}, the ${esc(measureLabel(o.measure))}${smd} was pooled with ${model}, with ${o.level ?? 95}% ${ci}; the prediction interval uses ${pi}.`;
  });
  return `<section class="methods"><h2>Methods</h2>
<p>Analyses were computed with evsynth ${esc(VERSION)} (TypeScript), whose estimators match R's metafor 3.8 (Viechtbauer 2010) to the package's test tolerances. ${models.join(' ')} Heterogeneity is reported as τ², Cochran's Q and I² (Higgins & Thompson 2002), read with the Cochrane Handbook's bands (§10.10.2). Where an outcome has at least 10 studies, small-study effects were examined with a contour-enhanced funnel plot, Egger's regression test (Egger et al. 1997), Begg's rank correlation test (Begg & Mazumdar 1994) and trim and fill (Duval & Tweedie 2000). Sensitivity analyses refit the model without each study in turn and, where the data hold risk-of-bias judgements (RoB 2, Sterne et al. 2019; ROBINS-I, Sterne et al. 2016), with the studies at low overall risk of bias only. Outcomes without study rows are shown with their published pooled results, marked as such, and are not recomputed. The certainty of the evidence was assessed with GRADE (Schünemann et al. 2013): evsynth suggests ratings for risk of bias, inconsistency, imprecision (with the optimal information size) and publication bias by the rules stated beside each judgement; the judgements shown are the panel's (${esc(spec.panel)}). Absolute effects per 1,000 follow the Cochrane Handbook ch. 14.</p>
<h3>References</h3><ul class="note">${[
    'Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3):1–48.',
    'DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials 1986;7:177–88.',
    'Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med 2002;21:1539–58.',
    'Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects meta-analysis. J R Stat Soc A 2009;172:137–59.',
    'Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by a simple, graphical test. BMJ 1997;315:629–34.',
    'Begg CB, Mazumdar M. Operating characteristics of a rank correlation test for publication bias. Biometrics 1994;50:1088–101.',
    'Duval S, Tweedie R. Trim and fill. Biometrics 2000;56:455–63.',
    'Deeks JJ, Higgins JPT. Statistical algorithms in Review Manager 5. 2010.',
    'Higgins JPT, Thomas J, et al. (eds). Cochrane Handbook for Systematic Reviews of Interventions v6.4, 2023 (ch. 10, 13, 14).',
    'Schünemann H, Brożek J, Guyatt G, Oxman A (eds). GRADE Handbook. The GRADE Working Group, 2013.',
    'Sterne JAC, et al. RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 2019;366:l4898.',
    ...(spec.references ?? []),
  ]
    .map((r) => `<li>${esc(r)}</li>`)
    .join('')}</ul></section>`;
}

/** The whole report as one HTML string. */
export async function htmlReport(spec: GradeSpec): Promise<string> {
  const { sof, analyses } = summaryOfFindings(spec);
  const sections: string[] = [];
  for (const o of sof.outcomes) sections.push(await outcomeSection(o, analyses.get(o.id), spec));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="evsynth ${esc(VERSION)}">
<title>${esc(sof.title)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>${esc(sof.title)}</h1>
<p class="note">Written by <code>evsynth report</code> (evsynth ${esc(VERSION)}) from <code>${esc(spec.file.replace(/^.*[/\\]/, ''))}</code>. This file is self-contained: its plots are inline SVG and it loads nothing.</p>
<h2>Summary of findings</h2>
${sofHtmlFragment(sof)}
${sections.join('\n')}
${methodsHtml(analyses, spec)}
</body></html>
`;
}
