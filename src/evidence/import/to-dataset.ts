/**
 * One imported analysis as an evsynth dataset: `data.csv` (study rows with evsynth's input columns, study
 * ids and years, subgroups, footnotes, RevMan's per-study results and the risk-of-bias judgements) and
 * `provenance.json` (the file it came from, the measure, method and model RevMan used as the `revman5`
 * preset, and RevMan's pooled, subgroup and heterogeneity results as claims). Pure.
 *
 * Printed precision, per format: RevMan 5 `.rm5` files store doubles (compared at 10 decimals); RevMan 5's
 * CSV export writes 8 decimals and a Cochrane data package 6, both dropping trailing zeros. P values are
 * compared at 5 decimals at most: RevMan shows no more (P < 0.00001), and the χ² P values it stores carry
 * an approximation error near 1e-7 (Fleiss 1993: P(Q) 0.12694225 where R's pchisq gives 0.12694218).
 */
import { EvsynthError } from '../../core/errors.ts';
import type { Measure } from '../../effects/registry.ts';
import { formatCsv } from '../../io/csv.ts';
import {
  isRatioMeasure,
  slug,
  type ImportFormat,
  type ImportedAnalysis,
  type ImportedReview,
  type PrintedNumber,
  type PrintedPooled,
  type PrintedState,
} from './review.ts';

/** Where the file came from and under which terms, as the user states them (`evsynth import --citation …`). */
export interface ImportSource {
  /** The review's citation (default: its title and the file). */
  readonly citation?: string;
  readonly doi?: string;
  readonly url?: string;
  /** Where the file was obtained (e.g. "Cochrane Library, 'Download data', 2024-05-01"). */
  readonly obtained?: string;
  readonly repository?: string;
  readonly commit?: string;
  readonly licence?: string;
  /** The file name to record (default: the file as given). */
  readonly file?: string;
}

export interface ImportedDataset {
  readonly name: string;
  readonly analysis: string;
  readonly csv: string;
  /** The provenance object (JSON-serialisable; validated by the caller with validateProvenance). */
  readonly provenance: Record<string, unknown>;
}

const FORMAT_DECIMALS: Readonly<Record<ImportFormat, number>> = {
  rm5: 10,
  'revman5-csv': 8,
  'cochrane-package': 6,
};
const FORMAT_NAMES: Readonly<Record<ImportFormat, string>> = {
  rm5: 'RevMan 5 review file (.rm5)',
  'revman5-csv': "RevMan 5's CSV export",
  'cochrane-package': 'Cochrane / RevMan Web data package',
};
const P_DECIMALS = 5;

const DATA_TYPE_COLUMNS: Readonly<Record<ImportedAnalysis['dataType'], readonly [string, string][]>> = {
  dichotomous: [
    ['ai', 'experimental group: events'],
    ['n1i', 'experimental group: participants'],
    ['ci', 'control group: events'],
    ['n2i', 'control group: participants'],
  ],
  continuous: [
    ['n1i', 'experimental group: participants'],
    ['m1i', 'experimental group: mean'],
    ['sd1i', 'experimental group: standard deviation'],
    ['n2i', 'control group: participants'],
    ['m2i', 'control group: mean'],
    ['sd2i', 'control group: standard deviation'],
  ],
  generic: [
    ['yi', 'the estimate as entered (generic inverse variance; log scale for ratio measures)'],
    ['sei', 'its standard error as entered'],
  ],
  'o-e': [
    ['oe', 'observed minus expected events (O − E) as entered'],
    ['v', 'the variance V of O − E as entered'],
    ['yi', "Peto's log odds ratio (O − E)/V, computed by evsynth import from oe and v"],
    ['vi', 'its variance 1/V, computed by evsynth import from v'],
  ],
};

/** The evsynth measure and method of a RevMan analysis (its `revman5` preset does the rest). */
function evsynthModel(a: ImportedAnalysis): { measure: Measure; method: string; description: string } {
  const kind = `${a.random ? 'random effects' : 'fixed effect'}`;
  const what = `${a.measureText || a.measure}`;
  if (a.dataType === 'generic' || a.dataType === 'o-e') {
    if (a.dataType === 'o-e' && a.random)
      throw new EvsynthError('INVALID_VALUE', `analysis ${a.number}: random-effects O−E analyses are not supported`);
    return {
      measure: 'GEN',
      method: a.random ? 'DL' : 'EE',
      description:
        a.dataType === 'o-e'
          ? `RevMan: Peto's O−E method (${what}), fixed effect: inverse-variance pooling of (O − E)/V with weights V`
          : `RevMan: generic inverse variance (${what}), ${kind}${a.random ? ' (DerSimonian-Laird)' : ''}`,
    };
  }
  const measure: Measure =
    a.measure === 'PETO_OR'
      ? 'OR'
      : a.measure === 'OR' || a.measure === 'RR' || a.measure === 'RD' || a.measure === 'MD' || a.measure === 'SMD'
        ? a.measure
        : (() => {
            throw new EvsynthError(
              'INVALID_VALUE',
              `analysis ${a.number}: effect measure '${a.measureText}' of ${a.dataType} data; expected OR, RR, RD, Peto OR, MD or SMD`,
            );
          })();
  if (a.method === 'PETO' || a.measure === 'PETO_OR')
    return { measure, method: 'PETO', description: `RevMan: Peto odds ratio, fixed effect` };
  if (a.method === 'MH')
    return {
      measure,
      method: a.random ? 'DL' : 'MH',
      description: a.random
        ? `RevMan: Mantel-Haenszel, random effects (DerSimonian-Laird with Q about the Mantel-Haenszel estimate), ${what}`
        : `RevMan: Mantel-Haenszel, fixed effect, ${what}`,
    };
  return {
    measure,
    method: a.random ? 'DL' : 'EE',
    description: `RevMan: inverse variance, ${kind}${a.random ? ' (DerSimonian-Laird)' : ''}, ${what}${measure === 'SMD' ? " (RevMan's SMD: Hedges' adjusted g)" : ''}`,
  };
}

/** A printed P value at most {@link P_DECIMALS} decimals ("<0.00001" below). */
function pText(p: PrintedNumber, decimals: number): string {
  const d = Math.min(decimals, P_DECIMALS);
  return p.value < 10 ** -d ? `<${(10 ** -d).toFixed(d)}` : p.value.toFixed(d);
}

const stateWords: Readonly<Record<Exclude<PrintedState, 'printed'>, string>> = {
  nothing: 'RevMan printed nothing (the fields are empty)',
  zeros: 'RevMan printed zeros where it computed nothing',
};

/** Dataset names: `<base>-<comparison>.<outcome>`, or `<base>` for the one analysis chosen. */
function datasetName(base: string, a: ImportedAnalysis, single: boolean): string {
  return single ? base : `${base}-${a.number}`;
}

/**
 * The dataset of one analysis. `base` names it (see {@link datasetName}); `single` when it is the only
 * analysis imported.
 */
export function analysisToDataset(
  review: ImportedReview,
  a: ImportedAnalysis,
  base: string,
  single: boolean,
  source: ImportSource = {},
): ImportedDataset {
  const name = datasetName(base, a, single);
  const model = evsynthModel(a);
  const decimals = FORMAT_DECIMALS[review.format];
  const ratio = isRatioMeasure(a.measure) || (a.dataType === 'generic' && a.logScale);
  const fileName = source.file ?? review.file.replace(/^.*[\\/]/, '');
  /** Places in the file, named by `fileName` rather than the path it was read from. */
  const at = (where: string) => where.split(review.file).join(fileName);
  // ---- data.csv
  const inputCols = DATA_TYPE_COLUMNS[a.dataType];
  const ids = a.rows.map((r) => r.studyId ?? '');
  const hasIds = ids.every((id) => id !== '');
  const uniqueIds = hasIds && new Set(ids).size === ids.length;
  const idColumn = hasIds ? (uniqueIds ? 'study_id' : 'revman_study_id') : null;
  const years = a.rows.map((r) => r.year ?? review.studies.find((s) => s.name === r.study)?.year ?? '');
  const hasFootnotes = a.rows.some((r) => r.footnotes.length > 0);
  const printedStudies = a.studyResultsState === 'printed';
  const rob = review.riskOfBias.filter((it) => a.rows.some((r) => it.judgements.has(r.study)));
  const header: string[] = ['study'];
  const columns: Record<string, string> = { study: 'study label as printed in the review' };
  if (idColumn) {
    header.push(idColumn);
    columns[idColumn] = uniqueIds
      ? "RevMan's study identifier (STUDY ID in the .rm5 file)"
      : "RevMan's study identifier (STUDY ID in the .rm5 file; not unique here: the study has more than one row)";
  }
  header.push('year');
  columns['year'] = 'study year as given in the review';
  if (a.subgroups) {
    header.push('subgroup');
    columns['subgroup'] = 'subgroup of the analysis, as named in the review';
  }
  for (const [c, d] of inputCols) {
    header.push(c);
    columns[c] = d;
  }
  if (printedStudies) {
    const scale = ratio ? ' (natural scale)' : '';
    header.push('revman_effect', 'revman_ci_lb', 'revman_ci_ub', 'revman_weight');
    columns['revman_effect'] =
      `published claim: the study's ${a.measureText || a.measure} as RevMan printed it${scale}`;
    columns['revman_ci_lb'] = `published claim: lower ${a.studyLevel}% limit as printed${scale}`;
    columns['revman_ci_ub'] = `published claim: upper ${a.studyLevel}% limit as printed${scale}`;
    columns['revman_weight'] =
      `published claim: the study's weight in percent ${a.totals || !a.subgroups ? 'of the whole analysis' : 'within its subgroup'}, as printed`;
  }
  if (hasFootnotes) {
    header.push('footnote');
    columns['footnote'] = "the review's footnote(s) for the row";
  }
  const robSupport = rob.filter((it) => [...it.judgements.values()].some((j) => j.support !== ''));
  for (const it of rob) {
    header.push(it.column);
    columns[it.column] = it.column.startsWith('rob_')
      ? `RoB 2 judgement (low, some concerns, high) for '${it.name}', as the package prints it`
      : `risk of bias, original Cochrane tool (RoB 1, Higgins 2011; not a RoB 2 domain): '${it.name}' as judged in the review (low, unclear, high${review.format === 'rm5' ? '; RevMan 5 stores YES = low, NO = high, UNKNOWN = unclear' : ''})${it.level === 'group' ? '; judged per outcome group in RevMan' : ''}`;
    if (robSupport.includes(it)) {
      header.push(`${it.column}_support`);
      columns[`${it.column}_support`] = `the review's support for the judgement '${it.name}'`;
    }
  }
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
  const rows = a.rows.map((r, i) => {
    const inputs = { ...r.inputs };
    if (a.dataType === 'o-e') {
      const oe = r.inputs['oe'] ?? null,
        v = r.inputs['v'] ?? null;
      inputs['yi'] = oe !== null && v !== null && v > 0 ? oe / v : null;
      inputs['vi'] = v !== null && v > 0 ? 1 / v : null;
    }
    const out: string[] = [r.study];
    if (idColumn) out.push(r.studyId ?? '');
    out.push(years[i] ?? '');
    if (a.subgroups) out.push(r.subgroup);
    for (const [c] of inputCols) out.push(cell(inputs[c]));
    if (printedStudies)
      out.push(r.effect?.text ?? '', r.ciLower?.text ?? '', r.ciUpper?.text ?? '', r.weight?.text ?? '');
    if (hasFootnotes) out.push(r.footnotes.join(' | '));
    for (const it of rob) {
      const j = it.judgements.get(r.study);
      out.push(j?.judgement ?? '');
      if (robSupport.includes(it)) out.push(j?.support ?? '');
    }
    return out;
  });
  // ---- claims
  const outcome = a.name;
  const claims: Record<string, unknown>[] = [];
  const pooledClaim = (id: string, p: PrintedPooled, description: string, subgroup?: string) => {
    const het: Record<string, unknown> = {};
    if (p.chi2) het['chi2'] = p.chi2.value;
    if (p.df) het['df'] = p.df.value;
    if (p.pChi2) het['pValue'] = pText(p.pChi2, decimals);
    if (p.I2) het['I2'] = p.I2.value;
    if (a.random && p.tau2) het['tau2'] = p.tau2.value;
    if (Object.keys(het).length > 0) {
      het['decimals'] = decimals;
      if (p.I2) het['I2Decimals'] = decimals;
    }
    const participants = p.total1 !== undefined && p.total2 !== undefined ? p.total1 + p.total2 : undefined;
    return {
      id,
      description,
      source: `${FORMAT_NAMES[review.format]} ${at(p.source)}`,
      quote: p.quote,
      outcome,
      ...(subgroup !== undefined ? { subgroup } : {}),
      measure: model.measure === 'GEN' ? a.measureText || 'generic' : a.measure === 'PETO_OR' ? 'PETO' : model.measure,
      estimate: p.estimate?.value,
      ...(p.ciLower && p.ciUpper ? { ciLower: p.ciLower.value, ciUpper: p.ciUpper.value } : {}),
      ...(p.pZ ? { pValue: pText(p.pZ, decimals) } : {}),
      ...(p.z ? { z: Math.abs(p.z.value), zDecimals: decimals } : {}),
      ...(p.studies !== undefined ? { k: p.studies } : {}),
      ...(participants !== undefined && a.dataType !== 'generic' && a.dataType !== 'o-e' ? { participants } : {}),
      ...(Object.keys(het).length > 0 ? { heterogeneity: het } : {}),
      decimals,
      ...(ratio ? { scale: 'natural' } : {}),
    };
  };
  const notPrinted = (
    id: string,
    what: string,
    state: Exclude<PrintedState, 'printed'>,
    quote: string,
    src: string,
    subgroup?: string,
  ) => ({
    id,
    kind: 'not-printed',
    description: `${what}: ${stateWords[state]}`,
    source: `${FORMAT_NAMES[review.format]} ${at(src)}`,
    ...(quote ? { quote } : {}),
    outcome,
    ...(subgroup !== undefined ? { subgroup } : {}),
    result: what.startsWith('per-study') ? 'study results' : what.startsWith('test') ? 'subgroup-difference' : 'pooled',
    printed: state,
  });
  if (a.totals && a.overall) {
    if (a.overallState === 'printed')
      claims.push(
        pooledClaim('overall', a.overall, `${a.name}: pooled ${a.measureText || a.measure} as RevMan printed it`),
      );
    else claims.push(notPrinted('overall', 'pooled result', a.overallState, a.overall.quote, a.overall.source));
  }
  const levels = new Set(a.rows.map((r) => r.subgroup));
  for (const s of a.subgroupResults) {
    if (!levels.has(s.name)) continue;
    const id = `subgroup-${slug(s.name, 30)}`;
    const st = s.result.estimate === undefined ? 'nothing' : a.overallState === 'zeros' ? 'zeros' : 'printed';
    if (st === 'printed')
      claims.push(pooledClaim(id, s.result, `${s.name}: subgroup total as RevMan printed it`, s.name));
    else claims.push(notPrinted(id, 'subgroup total', st, s.result.quote, s.result.source, s.name));
  }
  if (a.subgroupTest && levels.size > 1) {
    const t = a.subgroupTest;
    if (a.overallState === 'printed' && t.chi2) {
      claims.push({
        id: 'subgroup-differences',
        kind: 'subgroup-difference',
        description: 'test for subgroup differences as RevMan printed it',
        source: `${FORMAT_NAMES[review.format]} ${at(t.source)}`,
        quote: t.quote,
        outcome,
        chi2: t.chi2.value,
        ...(t.df ? { df: t.df.value } : {}),
        ...(t.pValue ? { pValue: pText(t.pValue, decimals) } : {}),
        ...(t.I2 ? { I2: t.I2.value, I2Decimals: decimals } : {}),
        decimals,
      });
    } else
      claims.push(
        notPrinted(
          'subgroup-differences',
          'test for subgroup differences',
          a.overallState === 'zeros' ? 'zeros' : 'nothing',
          t.quote,
          t.source,
        ),
      );
  }
  if (!printedStudies)
    claims.push(
      notPrinted(
        'study-results',
        'per-study effects, CIs and weights',
        a.studyResultsState as Exclude<PrintedState, 'printed'>,
        '',
        a.source,
      ),
    );
  // ---- provenance
  const notes = [
    `Imported by 'evsynth import' from the ${FORMAT_NAMES[review.format]} ${fileName}, analysis ${a.number}${review.software ? ` (${review.software})` : ''}.`,
    `Measure, method and model as RevMan used them (read from the file's settings: ${[a.measureText || a.measure, a.method, a.random ? 'random effects' : 'fixed effect'].join(', ')}); reproduced with evsynth's revman5 preset (RevMan 5's conventions: Deeks & Higgins 2010).`,
    `Printed results are compared at ${decimals} decimals (${review.format === 'rm5' ? 'the file stores doubles' : 'the precision the file is written with, trailing zeros dropped'}); P values at ${Math.min(decimals, P_DECIMALS)} decimals at most (RevMan shows no more, and its stored χ² P values carry an approximation error near 1e-7).`,
    ...(review.format === 'cochrane-package'
      ? [
          "The package's settings do not name RevMan Web's τ² estimator or CI method; RevMan 5's conventions (the revman5 preset) are applied, which reproduce fixed-effect analyses exactly. A random-effects analysis computed by RevMan Web with another estimator would show as differing.",
        ]
      : []),
    ...(a.studyLevel !== a.totalLevel
      ? [
          `RevMan's study CIs are ${a.studyLevel}% and its totals ${a.totalLevel}%; per-study CIs are recomputed at ${a.totalLevel}%.`,
        ]
      : []),
    ...(rob.length > 0 && rob.every((it) => it.column.startsWith('rob1_'))
      ? [
          'Risk of bias: the review used the original Cochrane tool (RoB 1: low, unclear, high per item), imported under rob1_* columns; these items are not RoB 2 domains and are not relabelled as rob_d1 … rob_d5.',
        ]
      : []),
    ...review.notes.map(at),
    ...a.notes.map(at),
  ];
  const smd = model.measure === 'SMD';
  const provenance: Record<string, unknown> = {
    name,
    title: `${review.title}: ${a.name} (analysis ${a.number})`,
    review: {
      citation: source.citation ?? `${review.title} (${FORMAT_NAMES[review.format]} ${fileName})`,
      ...((source.doi ?? review.doi) ? { doi: source.doi ?? review.doi } : {}),
      ...(source.url ? { url: source.url } : {}),
    },
    analysis: {
      number: a.number,
      ...(a.comparison ? { comparison: a.comparison } : {}),
      outcome: a.name,
      ...(a.units || a.groupLabels[0] || a.graphLabels[0]
        ? {
            scale: [
              a.units ? `units: ${a.units}` : '',
              a.groupLabels[0] ? `groups: ${a.groupLabels[0]} vs ${a.groupLabels[1]}` : '',
              a.graphLabels[0] ? `${a.graphLabels[0]} | ${a.graphLabels[1]}` : '',
            ]
              .filter(Boolean)
              .join('; '),
          }
        : {}),
    },
    measure: model.measure,
    model: {
      method: model.method,
      test: 'z',
      preset: 'revman5',
      ...(smd ? { smd: 'revman' } : {}),
      ...(a.totalLevel !== 95 ? { level: a.totalLevel } : {}),
      description: `${model.description}; from the file's settings`,
    },
    rows: {
      status: 'complete',
      source: {
        description: `${FORMAT_NAMES[review.format]}${source.obtained ? `, ${source.obtained}` : ''}; rows copied without change of values by 'evsynth import'`,
        file: fileName,
        ...(source.repository ? { repository: source.repository } : {}),
        ...(source.commit ? { commit: source.commit } : {}),
        table: `analysis ${a.number}`,
      },
    },
    licence:
      source.licence ??
      "not stated in the file: the study-level values are the review authors' data; check the terms of the source before redistributing",
    ...(a.subgroups ? { subgroupColumn: 'subgroup' } : {}),
    columns,
    ...(printedStudies
      ? {
          perStudyClaims: {
            effect: 'revman_effect',
            ciLower: 'revman_ci_lb',
            ciUpper: 'revman_ci_ub',
            weight: 'revman_weight',
            ...(a.subgroups && !a.totals ? { weightWithin: 'subgroup' } : {}),
            decimals,
            scale: ratio ? 'natural' : 'analysis',
          },
        }
      : {}),
    claims: claims.map(dropUndefined),
    notes,
  };
  return { name, analysis: a.number, csv: formatCsv(header, rows), provenance };
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
