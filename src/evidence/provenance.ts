/**
 * The provenance file of a dataset (`datasets/<name>/provenance.json`): where every number
 * came from, what the review did with it, and what it published. Validated field by field;
 * an error names the file and the field path.
 */
import { MEASURES, type Measure } from '../effects/registry.ts';
import { Checker, opt, parseClaims, type Claim } from './claims.ts';

export type { PooledClaim } from './claims.ts';

const ROW_STATUSES = ['complete', 'partial', 'none'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export interface RowSource {
  /** What the rows are and how they were obtained. */
  readonly description: string;
  readonly file?: string;
  readonly repository?: string;
  readonly commit?: string;
  /** Table, figure or analysis number the rows were read from. */
  readonly table?: string;
}

export interface ReviewModel {
  /** Pooling method as evsynth names it (DL, REML, EE, MH, PETO, …). */
  readonly method: string;
  readonly test?: 'z' | 'knha' | 'adhoc';
  /** For SMD: 'revman' when the review used RevMan 5's SMD. */
  readonly smd?: 'metafor' | 'revman';
  /** Named conventions (src/analysis/presets.ts), e.g. 'revman5' for an analysis imported from RevMan. */
  readonly preset?: 'metafor' | 'revman5';
  /** Confidence level in percent (default 95). */
  readonly level?: number;
  /** Human description, e.g. "RevMan 5: inverse variance, random effects (DerSimonian-Laird)". */
  readonly description: string;
}

/** Columns of data.csv that hold what RevMan printed for each study. */
export interface PerStudyClaims {
  readonly effect: string;
  readonly ciLower: string;
  readonly ciUpper: string;
  readonly weight?: string;
  /** Column whose levels the printed weights are relative to (RevMan: the subgroup). */
  readonly weightWithin?: string;
  /** Decimals of the printed values. */
  readonly decimals: number;
  /**
   * Decimals at which the weights are compared, where evsynth reproduces them only to fewer decimals than
   * printed (the dataset's notes must say why); `decimals` otherwise.
   */
  readonly weightDecimals?: number;
  readonly scale: 'analysis' | 'natural';
}

/** Where the dataset's risk-of-bias columns (src/evidence/risk-of-bias.ts) came from. */
export interface RiskOfBiasSource {
  /** 'RoB 2' (columns rob_d1 … rob_d5, rob_overall) or 'ROBINS-I' (robins_d1 … robins_d7, robins_overall). */
  readonly tool: 'RoB 2' | 'ROBINS-I';
  /** Who judged, and where the judgements were read (review, table or figure, page). */
  readonly source: string;
  /** The outcome (and time point) the judgements are for: RoB 2 judges results, not studies. */
  readonly outcome?: string;
  readonly note?: string;
}

/** One entry of a dataset's version history (`evsynth update --write` appends one). */
export interface HistoryEntry {
  /** ISO date (YYYY-MM-DD). */
  readonly date: string;
  /** What changed, in words. */
  readonly description: string;
  /** Where the new or changed rows came from. */
  readonly source: string;
  /** Study keys (study_id, or the documented fallback) added, removed and changed. */
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
  readonly changed?: readonly string[];
}

/**
 * Rows that share an arm of a multi-arm trial (one control group compared with several treatments), as the data
 * and their source show it: `column` of data.csv names the shared arm of each row (empty = none); each group says
 * how the rows print the arm's size — the whole arm in each row (`repeated`) or a share of it (`split`) — and what
 * in the data or the source shows that the arm is shared.
 */
export interface SharedArms {
  /** Column of data.csv naming each row's shared arm (absent when no row shares an arm). */
  readonly column?: string;
  /** Which arm of the rows is shared: 2 (control, n2i/m2i/sd2i or ci/di; default) or 1. */
  readonly arm?: 1 | 2;
  readonly groups: readonly {
    readonly id: string;
    readonly n: 'repeated' | 'split';
    /** Continuous data of a split arm: the printed SD is the arm's (`arm`) or was derived from its SE with the split N (`from-se`). */
    readonly sd?: 'arm' | 'from-se';
    readonly evidence: string;
  }[];
  readonly note?: string;
}

export interface Provenance {
  readonly name: string;
  readonly title: string;
  readonly review: { readonly citation: string; readonly doi?: string; readonly url?: string };
  readonly analysis?: {
    readonly number?: string;
    readonly comparison?: string;
    readonly outcome: string;
    readonly timepoint?: string;
    readonly scale?: string;
  };
  /** The measure of the rows (and the default `--measure` for this dataset). */
  readonly measure: Measure;
  /** The model the review used, where known. */
  readonly model?: ReviewModel;
  readonly rows: {
    readonly status: RowStatus;
    readonly source: RowSource;
    readonly template?: string;
    readonly missing?: string;
  };
  readonly licence: string;
  readonly teachingOnly?: boolean;
  readonly subgroupColumn?: string;
  readonly subgroupDefinitions?: Readonly<Record<string, string>>;
  readonly columns: Readonly<Record<string, string>>;
  readonly rowNotes?: readonly { readonly row: number; readonly study: string; readonly note: string }[];
  readonly sharedArms?: SharedArms;
  readonly perStudyClaims?: PerStudyClaims;
  readonly claims: readonly Claim[];
  readonly notes?: readonly string[];
  /** Source of the risk-of-bias columns; required when data.csv has them. */
  readonly riskOfBias?: RiskOfBiasSource;
  /** Version history of the rows, oldest first. */
  readonly history?: readonly HistoryEntry[];
}

type Json = unknown;

/** Validates a parsed provenance file. Unknown fields are errors (typos do not pass silently). */
export function validateProvenance(json: Json, file: string): Provenance {
  const c = new Checker(file);
  const o = c.obj(json, 'provenance');
  c.noExtra(
    o,
    [
      'name',
      'title',
      'review',
      'analysis',
      'measure',
      'model',
      'rows',
      'licence',
      'teachingOnly',
      'subgroupColumn',
      'subgroupDefinitions',
      'columns',
      'rowNotes',
      'sharedArms',
      'perStudyClaims',
      'claims',
      'notes',
      'riskOfBias',
      'history',
    ],
    'provenance',
  );
  const review = c.obj(o['review'], 'review');
  c.noExtra(review, ['citation', 'doi', 'url'], 'review');
  const measure = c.oneOf(o, 'measure', 'provenance', MEASURES) as Measure;
  let analysis: Provenance['analysis'];
  if (o['analysis'] !== undefined) {
    const a = c.obj(o['analysis'], 'analysis');
    c.noExtra(a, ['number', 'comparison', 'outcome', 'timepoint', 'scale'], 'analysis');
    analysis = {
      outcome: c.str(a, 'outcome', 'analysis') as string,
      ...opt('number', c.str(a, 'number', 'analysis', true)),
      ...opt('comparison', c.str(a, 'comparison', 'analysis', true)),
      ...opt('timepoint', c.str(a, 'timepoint', 'analysis', true)),
      ...opt('scale', c.str(a, 'scale', 'analysis', true)),
    };
  }
  let model: ReviewModel | undefined;
  if (o['model'] !== undefined) {
    const m = c.obj(o['model'], 'model');
    c.noExtra(m, ['method', 'test', 'smd', 'preset', 'level', 'description'], 'model');
    model = {
      method: c.oneOf(m, 'method', 'model', [
        'EE',
        'FE',
        'DL',
        'HE',
        'HS',
        'HSk',
        'SJ',
        'SJIT',
        'ML',
        'REML',
        'EB',
        'PM',
        'PMM',
        'MH',
        'PETO',
      ]) as string,
      description: c.str(m, 'description', 'model') as string,
      ...opt('test', c.oneOf(m, 'test', 'model', ['z', 'knha', 'adhoc'] as const, true)),
      ...opt('smd', c.oneOf(m, 'smd', 'model', ['metafor', 'revman'] as const, true)),
      ...opt('preset', c.oneOf(m, 'preset', 'model', ['metafor', 'revman5'] as const, true)),
      ...opt('level', c.num(m, 'level', 'model', true)),
    };
  }
  const rows = c.obj(o['rows'], 'rows');
  c.noExtra(rows, ['status', 'source', 'template', 'missing'], 'rows');
  const src = c.obj(rows['source'], 'rows.source');
  c.noExtra(src, ['description', 'file', 'repository', 'commit', 'table'], 'rows.source');
  const source: RowSource = {
    description: c.str(src, 'description', 'rows.source') as string,
    ...opt('file', c.str(src, 'file', 'rows.source', true)),
    ...opt('repository', c.str(src, 'repository', 'rows.source', true)),
    ...opt('commit', c.str(src, 'commit', 'rows.source', true)),
    ...opt('table', c.str(src, 'table', 'rows.source', true)),
  };
  const status = c.oneOf(rows, 'status', 'rows', ROW_STATUSES) as RowStatus;
  const template = c.str(rows, 'template', 'rows', true);
  const missing = c.str(rows, 'missing', 'rows', true);
  if (status !== 'complete' && missing === undefined)
    c.fail('rows.missing', `a statement of which rows are missing and why (status is ${status})`, undefined);
  if (status === 'none' && template === undefined)
    c.fail('rows.template', 'a transcription template file (status is none)', undefined);
  const columns = c.obj(o['columns'], 'columns');
  for (const [k, v] of Object.entries(columns)) if (typeof v !== 'string') c.fail(`columns.${k}`, 'a description', v);
  let perStudyClaims: PerStudyClaims | undefined;
  if (o['perStudyClaims'] !== undefined) {
    const p = c.obj(o['perStudyClaims'], 'perStudyClaims');
    c.noExtra(
      p,
      ['effect', 'ciLower', 'ciUpper', 'weight', 'weightWithin', 'decimals', 'weightDecimals', 'scale'],
      'perStudyClaims',
    );
    perStudyClaims = {
      effect: c.str(p, 'effect', 'perStudyClaims') as string,
      ciLower: c.str(p, 'ciLower', 'perStudyClaims') as string,
      ciUpper: c.str(p, 'ciUpper', 'perStudyClaims') as string,
      decimals: c.num(p, 'decimals', 'perStudyClaims') as number,
      scale: c.oneOf(p, 'scale', 'perStudyClaims', ['analysis', 'natural'] as const) as 'analysis' | 'natural',
      ...opt('weight', c.str(p, 'weight', 'perStudyClaims', true)),
      ...opt('weightWithin', c.str(p, 'weightWithin', 'perStudyClaims', true)),
      ...opt('weightDecimals', c.num(p, 'weightDecimals', 'perStudyClaims', true)),
    };
    if (model === undefined)
      c.fail('model', "the review's model (per-study weights are recomputed with it)", undefined);
  }
  const claims = parseClaims(c, c.arr(o, 'claims', 'provenance') as Json[], 'claims');
  const rowNotes = c.arr(o, 'rowNotes', 'provenance', true)?.map((x, i) => {
    const r = c.obj(x, `rowNotes[${i}]`);
    return {
      row: c.num(r, 'row', `rowNotes[${i}]`) as number,
      study: c.str(r, 'study', `rowNotes[${i}]`) as string,
      note: c.str(r, 'note', `rowNotes[${i}]`) as string,
    };
  });
  const notes = c
    .arr(o, 'notes', 'provenance', true)
    ?.map((x, i): string => (typeof x === 'string' ? x : c.fail(`notes[${i}]`, 'a string', x)));
  let sharedArms: SharedArms | undefined;
  if (o['sharedArms'] !== undefined) {
    const sa = c.obj(o['sharedArms'], 'sharedArms');
    c.noExtra(sa, ['column', 'arm', 'groups', 'note'], 'sharedArms');
    const groups = (c.arr(sa, 'groups', 'sharedArms') as Json[]).map((x, i) => {
      const path = `sharedArms.groups[${i}]`;
      const g = c.obj(x, path);
      c.noExtra(g, ['id', 'n', 'sd', 'evidence'], path);
      return {
        id: c.str(g, 'id', path) as string,
        n: c.oneOf(g, 'n', path, ['repeated', 'split'] as const) as 'repeated' | 'split',
        ...opt('sd', c.oneOf(g, 'sd', path, ['arm', 'from-se'] as const, true)),
        evidence: c.str(g, 'evidence', path) as string,
      };
    });
    const column = c.str(sa, 'column', 'sharedArms', true);
    if (groups.length > 0 && column === undefined)
      c.fail('sharedArms.column', 'the column naming the shared arms', undefined);
    const arm = sa['arm'];
    if (arm !== undefined && arm !== 1 && arm !== 2) c.fail('sharedArms.arm', '1 or 2', arm);
    sharedArms = {
      groups,
      ...opt('column', column),
      ...opt('arm', arm as 1 | 2 | undefined),
      ...opt('note', c.str(sa, 'note', 'sharedArms', true)),
    };
  }
  let subgroupDefinitions: Record<string, string> | undefined;
  if (o['subgroupDefinitions'] !== undefined)
    subgroupDefinitions = c.obj(o['subgroupDefinitions'], 'subgroupDefinitions') as Record<string, string>;
  if (o['teachingOnly'] !== undefined && typeof o['teachingOnly'] !== 'boolean')
    c.fail('teachingOnly', 'true or false', o['teachingOnly']);
  let riskOfBias: RiskOfBiasSource | undefined;
  if (o['riskOfBias'] !== undefined) {
    const r = c.obj(o['riskOfBias'], 'riskOfBias');
    c.noExtra(r, ['tool', 'source', 'outcome', 'note'], 'riskOfBias');
    riskOfBias = {
      tool: c.oneOf(r, 'tool', 'riskOfBias', ['RoB 2', 'ROBINS-I'] as const) as 'RoB 2' | 'ROBINS-I',
      source: c.str(r, 'source', 'riskOfBias') as string,
      ...opt('outcome', c.str(r, 'outcome', 'riskOfBias', true)),
      ...opt('note', c.str(r, 'note', 'riskOfBias', true)),
    };
  }
  const history = c.arr(o, 'history', 'provenance', true)?.map((x, i): HistoryEntry => {
    const path = `history[${i}]`;
    const h = c.obj(x, path);
    c.noExtra(h, ['date', 'description', 'source', 'added', 'removed', 'changed'], path);
    const date = c.str(h, 'date', path) as string;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) c.fail(`${path}.date`, 'a date as YYYY-MM-DD', date);
    const keys = (k: 'added' | 'removed' | 'changed') =>
      c
        .arr(h, k, path, true)
        ?.map((v, j): string => (typeof v === 'string' ? v : c.fail(`${path}.${k}[${j}]`, 'a study key', v)));
    return {
      date,
      description: c.str(h, 'description', path) as string,
      source: c.str(h, 'source', path) as string,
      ...opt('added', keys('added')),
      ...opt('removed', keys('removed')),
      ...opt('changed', keys('changed')),
    };
  });
  return {
    name: c.str(o, 'name', 'provenance') as string,
    title: c.str(o, 'title', 'provenance') as string,
    review: {
      citation: c.str(review, 'citation', 'review') as string,
      ...opt('doi', c.str(review, 'doi', 'review', true)),
      ...opt('url', c.str(review, 'url', 'review', true)),
    },
    ...opt('analysis', analysis),
    measure,
    ...opt('model', model),
    rows: { status, source, ...opt('template', template), ...opt('missing', missing) },
    licence: c.str(o, 'licence', 'provenance') as string,
    ...opt('teachingOnly', o['teachingOnly'] as boolean | undefined),
    ...opt('subgroupColumn', c.str(o, 'subgroupColumn', 'provenance', true)),
    ...opt('subgroupDefinitions', subgroupDefinitions),
    columns: columns as Record<string, string>,
    ...opt('rowNotes', rowNotes),
    ...opt('sharedArms', sharedArms),
    ...opt('perStudyClaims', perStudyClaims),
    claims,
    ...opt('notes', notes),
    ...opt('riskOfBias', riskOfBias),
    ...opt('history', history),
  };
}
