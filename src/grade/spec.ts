/**
 * The GRADE spec file of a question (JSON; schema in docs/grade.md): its outcomes, where each outcome's
 * numbers come from (a bundled dataset or CSV with analysis options, or a published pooled claim when no
 * study rows exist), the assumed comparator risks or comparator mean, the MID, and the panel's judgements
 * on the five GRADE domains, each with a reason. Validated field by field; an error names the file and the
 * field path (the CLI exits with status 2).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AnalysisRequest } from '../analysis/request.ts';
import { EvsynthError } from '../core/errors.ts';
import { Checker, opt } from '../evidence/claims.ts';
import {
  DOMAIN_RATINGS,
  GRADE_DOMAINS,
  STUDY_DESIGNS,
  CERTAINTY_LEVELS,
  type CertaintyLevel,
  type DomainRating,
  type GradeDomain,
  type StudyDesign,
} from './certainty.ts';

type Json = unknown;

export interface Judgement {
  readonly rating: DomainRating;
  /** Why: required for every rating, including 'not serious' and 'not assessed'. */
  readonly reason: string;
}

export interface Upgrade {
  readonly domain: 'large effect' | 'dose-response' | 'plausible confounding';
  readonly levels: 1 | 2;
  readonly reason: string;
}

export type OutcomeSource =
  | {
      readonly kind: 'rows';
      /** A bundled dataset's name, or a CSV path resolved against the spec's folder. */
      readonly dataset?: string;
      readonly csv?: string;
      readonly analysis: AnalysisRequest;
    }
  | {
      readonly kind: 'claim';
      /** `dataset#claim-id` of a pooled claim (published result without study rows). */
      readonly claim: string;
    };

export interface SourcedNumber {
  readonly value: number;
  readonly source: string;
}

export interface OutcomeSpec {
  readonly id: string;
  readonly name: string;
  readonly importance?: 'critical' | 'important' | 'not important';
  readonly followUp?: string;
  readonly source: OutcomeSource;
  readonly design: StudyDesign;
  /** № of participants when the source does not give it (a claim), with where it was read. */
  readonly participants?: SourcedNumber;
  /** Binary outcomes: assumed comparator risks (proportions), each with a label and its source. */
  readonly comparatorRisks?: readonly { readonly label: string; readonly risk: number; readonly source: string }[];
  /** Continuous outcomes: the comparator group's mean as a sentence, with its source. */
  readonly comparatorMean?: { readonly text: string; readonly source: string };
  /** SMD: a familiar scale to re-express it in, with a representative SD of that scale. */
  readonly familiarScale?: { readonly name: string; readonly sd: number; readonly source: string };
  /** Minimal important difference: on the analysis scale for MD and SMD, a ratio > 1 for ratio measures. */
  readonly mid?: SourcedNumber;
  /** Which direction of the measure is beneficial (for wording), default 'lower'. */
  readonly beneficial?: 'lower' | 'higher';
  /** The optimal information size's assumptions (defaults: RRR 25% at the first comparator risk; 0.2 SD). */
  readonly ois?: { readonly rrr?: number; readonly delta?: number; readonly alpha?: number; readonly power?: number };
  readonly judgements: Readonly<Record<GradeDomain, Judgement>>;
  readonly upgrades?: readonly Upgrade[];
  /** A certainty stated by a source (e.g. a guideline's text) when the domains were not judged. */
  readonly statedCertainty?: { readonly level: CertaintyLevel; readonly source: string; readonly quote?: string };
  readonly comments?: string;
}

export interface GradeSpec {
  readonly file: string;
  readonly title: string;
  readonly question: {
    readonly population: string;
    readonly intervention: string;
    readonly comparison: string;
    readonly setting?: string;
  };
  /** Who made the judgements. */
  readonly panel: string;
  readonly outcomes: readonly OutcomeSpec[];
  readonly references?: readonly string[];
}

const ANALYSIS_FIELDS = [
  'measure',
  'method',
  'preset',
  'test',
  'level',
  'piType',
  'smd',
  'convention',
  'by',
  'vtype',
  'add',
  'to',
  'drop00',
] as const;

function parseAnalysis(c: Checker, x: Json, path: string): AnalysisRequest {
  if (x === undefined) return {};
  const a = c.obj(x, path);
  c.noExtra(a, ANALYSIS_FIELDS, path);
  const s = (k: string) => c.str(a, k, path, true);
  return {
    ...opt('measure', s('measure')),
    ...opt('method', s('method')),
    ...opt('preset', s('preset')),
    ...opt('test', c.oneOf(a, 'test', path, ['z', 'knha', 'adhoc'] as const, true)),
    ...opt('level', c.num(a, 'level', path, true)),
    ...opt('piType', c.oneOf(a, 'piType', path, ['default', 'riley'] as const, true)),
    ...opt('smd', c.oneOf(a, 'smd', path, ['metafor', 'revman'] as const, true)),
    ...opt('convention', c.oneOf(a, 'convention', path, ['metafor', 'revman5'] as const, true)),
    ...opt('by', s('by')),
    ...opt('vtype', c.oneOf(a, 'vtype', path, ['LS', 'UB'] as const, true)),
    ...opt('add', c.num(a, 'add', path, true)),
    ...opt('to', c.oneOf(a, 'to', path, ['only0', 'all', 'if0all', 'none'] as const, true)),
    ...opt('drop00', c.bool(a, 'drop00', path)),
  };
}

function sourced(c: Checker, x: Json, path: string, check?: (v: number) => boolean, what = 'a number'): SourcedNumber {
  const o = c.obj(x, path);
  c.noExtra(o, ['value', 'source'], path);
  const value = c.num(o, 'value', path) as number;
  if (check && !check(value)) c.fail(`${path}.value`, what, value);
  return { value, source: c.str(o, 'source', path) as string };
}

function parseOutcome(c: Checker, x: Json, path: string, base: string): OutcomeSpec {
  const o = c.obj(x, path);
  c.noExtra(
    o,
    [
      'id',
      'name',
      'importance',
      'followUp',
      'source',
      'design',
      'participants',
      'comparatorRisks',
      'comparatorMean',
      'familiarScale',
      'mid',
      'beneficial',
      'ois',
      'judgements',
      'upgrades',
      'statedCertainty',
      'comments',
    ],
    path,
  );
  const sp = `${path}.source`;
  const so = c.obj(o['source'], sp);
  c.noExtra(so, ['dataset', 'csv', 'claim', 'analysis'], sp);
  const given = ['dataset', 'csv', 'claim'].filter((k) => so[k] !== undefined);
  if (given.length !== 1) c.fail(sp, 'exactly one of dataset, csv or claim', so);
  let source: OutcomeSource;
  if (so['claim'] !== undefined) {
    const claim = c.str(so, 'claim', sp) as string;
    if (!claim.includes('#')) c.fail(`${sp}.claim`, "'dataset#claim-id'", claim);
    if (so['analysis'] !== undefined)
      c.fail(`${sp}.analysis`, 'no analysis options for a published claim', so['analysis']);
    source = { kind: 'claim', claim };
  } else {
    const csv = c.str(so, 'csv', sp, true);
    source = {
      kind: 'rows',
      ...opt('dataset', c.str(so, 'dataset', sp, true)),
      ...opt('csv', csv === undefined ? undefined : resolve(base, csv)),
      analysis: parseAnalysis(c, so['analysis'], `${sp}.analysis`),
    };
  }
  const jp = `${path}.judgements`;
  const jo = c.obj(o['judgements'], jp);
  c.noExtra(jo, GRADE_DOMAINS, jp);
  const judgements = Object.fromEntries(
    GRADE_DOMAINS.map((d) => {
      const p = `${jp}.${d}`;
      if (jo[d] === undefined)
        c.fail(p, `a judgement {"rating": ${DOMAIN_RATINGS.join(' | ')}, "reason": "…"}`, undefined);
      const j = c.obj(jo[d], p);
      c.noExtra(j, ['rating', 'reason'], p);
      return [
        d,
        { rating: c.oneOf(j, 'rating', p, DOMAIN_RATINGS) as DomainRating, reason: c.str(j, 'reason', p) as string },
      ];
    }),
  ) as Record<GradeDomain, Judgement>;
  const upgrades = c.arr(o, 'upgrades', path, true)?.map((u, i): Upgrade => {
    const p = `${path}.upgrades[${i}]`;
    const uo = c.obj(u, p);
    c.noExtra(uo, ['domain', 'levels', 'reason'], p);
    const levels = c.num(uo, 'levels', p) as number;
    if (levels !== 1 && levels !== 2) c.fail(`${p}.levels`, '1 or 2', levels);
    return {
      domain: c.oneOf(uo, 'domain', p, [
        'large effect',
        'dose-response',
        'plausible confounding',
      ] as const) as Upgrade['domain'],
      levels: levels as 1 | 2,
      reason: c.str(uo, 'reason', p) as string,
    };
  });
  const risks = c.arr(o, 'comparatorRisks', path, true)?.map((r, i) => {
    const p = `${path}.comparatorRisks[${i}]`;
    const ro = c.obj(r, p);
    c.noExtra(ro, ['label', 'risk', 'source'], p);
    const risk = c.num(ro, 'risk', p) as number;
    if (!(risk > 0 && risk < 1)) c.fail(`${p}.risk`, 'a proportion between 0 and 1 (e.g. 0.2 for 200 per 1,000)', risk);
    return { label: c.str(ro, 'label', p) as string, risk, source: c.str(ro, 'source', p) as string };
  });
  let comparatorMean: OutcomeSpec['comparatorMean'];
  if (o['comparatorMean'] !== undefined) {
    const p = `${path}.comparatorMean`;
    const m = c.obj(o['comparatorMean'], p);
    c.noExtra(m, ['text', 'source'], p);
    comparatorMean = { text: c.str(m, 'text', p) as string, source: c.str(m, 'source', p) as string };
  }
  let familiarScale: OutcomeSpec['familiarScale'];
  if (o['familiarScale'] !== undefined) {
    const p = `${path}.familiarScale`;
    const f = c.obj(o['familiarScale'], p);
    c.noExtra(f, ['name', 'sd', 'source'], p);
    const sd = c.num(f, 'sd', p) as number;
    if (!(sd > 0)) c.fail(`${p}.sd`, 'a positive SD', sd);
    familiarScale = { name: c.str(f, 'name', p) as string, sd, source: c.str(f, 'source', p) as string };
  }
  let ois: OutcomeSpec['ois'];
  if (o['ois'] !== undefined) {
    const p = `${path}.ois`;
    const oo = c.obj(o['ois'], p);
    c.noExtra(oo, ['rrr', 'delta', 'alpha', 'power'], p);
    ois = {
      ...opt('rrr', c.num(oo, 'rrr', p, true)),
      ...opt('delta', c.num(oo, 'delta', p, true)),
      ...opt('alpha', c.num(oo, 'alpha', p, true)),
      ...opt('power', c.num(oo, 'power', p, true)),
    };
  }
  let statedCertainty: OutcomeSpec['statedCertainty'];
  if (o['statedCertainty'] !== undefined) {
    const p = `${path}.statedCertainty`;
    const s = c.obj(o['statedCertainty'], p);
    c.noExtra(s, ['level', 'source', 'quote'], p);
    statedCertainty = {
      level: c.oneOf(s, 'level', p, CERTAINTY_LEVELS) as CertaintyLevel,
      source: c.str(s, 'source', p) as string,
      ...opt('quote', c.str(s, 'quote', p, true)),
    };
  }
  return {
    id: c.str(o, 'id', path) as string,
    name: c.str(o, 'name', path) as string,
    ...opt('importance', c.oneOf(o, 'importance', path, ['critical', 'important', 'not important'] as const, true)),
    ...opt('followUp', c.str(o, 'followUp', path, true)),
    source,
    design: (c.oneOf(o, 'design', path, STUDY_DESIGNS, true) ?? 'randomised') as StudyDesign,
    ...opt(
      'participants',
      o['participants'] === undefined
        ? undefined
        : sourced(
            c,
            o['participants'],
            `${path}.participants`,
            (v) => Number.isInteger(v) && v > 0,
            'a whole number > 0',
          ),
    ),
    ...opt('comparatorRisks', risks),
    ...opt('comparatorMean', comparatorMean),
    ...opt('familiarScale', familiarScale),
    ...opt(
      'mid',
      o['mid'] === undefined
        ? undefined
        : sourced(
            c,
            o['mid'],
            `${path}.mid`,
            (v) => v > 0 && v !== 1,
            'a positive MID (a ratio other than 1 for ratio measures)',
          ),
    ),
    ...opt('beneficial', c.oneOf(o, 'beneficial', path, ['lower', 'higher'] as const, true)),
    ...opt('ois', ois),
    judgements,
    ...opt('upgrades', upgrades),
    ...opt('statedCertainty', statedCertainty),
    ...opt('comments', c.str(o, 'comments', path, true)),
  };
}

/** Validates a parsed spec; `file` names it in errors and anchors relative CSV paths. */
export function parseGradeSpec(json: Json, file: string): GradeSpec {
  const c = new Checker(file);
  const o = c.obj(json, 'spec');
  c.noExtra(o, ['$schema', 'title', 'question', 'panel', 'outcomes', 'references'], 'spec');
  const q = c.obj(o['question'], 'question');
  c.noExtra(q, ['population', 'intervention', 'comparison', 'setting'], 'question');
  const list = c.arr(o, 'outcomes', 'spec') as Json[];
  if (list.length === 0) c.fail('outcomes', 'at least one outcome', list);
  const base = dirname(resolve(file));
  const outcomes = list.map((x, i) => parseOutcome(c, x, `outcomes[${i}]`, base));
  const ids = new Set<string>();
  outcomes.forEach((oc, i) => {
    if (ids.has(oc.id)) c.fail(`outcomes[${i}].id`, 'an id not used by another outcome', oc.id);
    ids.add(oc.id);
  });
  const references = c
    .arr(o, 'references', 'spec', true)
    ?.map((r, i): string =>
      typeof r === 'string' && r.trim() !== '' ? r : c.fail(`references[${i}]`, 'a citation', r),
    );
  return {
    file,
    title: c.str(o, 'title', 'spec') as string,
    question: {
      population: c.str(q, 'population', 'question') as string,
      intervention: c.str(q, 'intervention', 'question') as string,
      comparison: c.str(q, 'comparison', 'question') as string,
      ...opt('setting', c.str(q, 'setting', 'question', true)),
    },
    panel: c.str(o, 'panel', 'spec') as string,
    outcomes,
    ...opt('references', references),
  };
}

/** Reads and validates a spec file. */
export function readGradeSpec(file: string): GradeSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new EvsynthError('FILE_NOT_FOUND', `cannot read the spec file '${file}'`);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EvsynthError('INVALID_VALUE', `not valid JSON: ${(e as Error).message}`, { file });
  }
  return parseGradeSpec(json, file);
}
