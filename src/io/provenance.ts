/**
 * The provenance file of a dataset (`datasets/<name>/provenance.json`): where every number
 * came from, what the review did with it, and what it published. Validated field by field;
 * an error names the file and the field path.
 */
import { EvsynthError } from '../core/errors.ts';
import { MEASURES, type Measure } from '../effects/types.ts';

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
  /** Human description, e.g. "RevMan 5: inverse variance, random effects (DerSimonian-Laird)". */
  readonly description: string;
}

/** A pooled result as the review printed it. */
export interface PooledClaim {
  readonly id: string;
  readonly description: string;
  readonly outcome: string;
  readonly timepoint?: string;
  /** A level of the dataset's subgroup column, when the claim is about one subgroup. */
  readonly subgroup?: string;
  readonly measure: string;
  readonly k?: number;
  readonly participants?: number;
  readonly estimate: number;
  readonly ciLower?: number;
  readonly ciUpper?: number;
  /** The p-value as printed: "0.003", "<0.01". */
  readonly pValue?: string;
  /** Decimals the estimate and CI were printed with. */
  readonly decimals: number;
  /** 'natural' when a ratio measure was printed exponentiated. */
  readonly scale?: 'analysis' | 'natural';
  /** Where the number was read. */
  readonly source: string;
  readonly note?: string;
  /**
   * Whether the dataset's rows are the rows the review pooled for this claim (default: true when
   * rows.status is complete). False, e.g., for a subset of studies: the claim is then not recomputed.
   */
  readonly fromRows?: boolean;
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
  readonly scale: 'analysis' | 'natural';
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
  readonly perStudyClaims?: PerStudyClaims;
  readonly claims: readonly PooledClaim[];
  readonly notes?: readonly string[];
}

type Json = unknown;

class Checker {
  constructor(readonly file: string) {}
  fail(path: string, expected: string, got: Json): never {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
    throw new EvsynthError('INVALID_VALUE', `${path}: expected ${expected}, got ${shown}`, { file: this.file });
  }
  obj(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'an object', v);
    return v as Record<string, Json>;
  }
  str(o: Record<string, Json>, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(`${path}.${key}`, 'a non-empty string', v);
    return v;
  }
  num(o: Record<string, Json>, key: string, path: string, optional = false): number | undefined {
    const v = o[key];
    if ((v === undefined || v === null) && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}.${key}`, 'a number', v);
    return v;
  }
  oneOf<T extends string>(
    o: Record<string, Json>,
    key: string,
    path: string,
    values: readonly T[],
    optional = false,
  ): T | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !values.includes(v as T))
      this.fail(`${path}.${key}`, `one of ${values.join(', ')}`, v);
    return v as T;
  }
  arr(o: Record<string, Json>, key: string, path: string, optional = false): Json[] | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) this.fail(`${path}.${key}`, 'an array', v);
    return v;
  }
  noExtra(o: Record<string, Json>, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `no such field (allowed: ${allowed.join(', ')})`, o[k]);
  }
}

const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
  v === undefined ? {} : ({ [key]: v } as { [P in K]?: V });

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
      'perStudyClaims',
      'claims',
      'notes',
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
    c.noExtra(m, ['method', 'test', 'smd', 'description'], 'model');
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
    c.noExtra(p, ['effect', 'ciLower', 'ciUpper', 'weight', 'weightWithin', 'decimals', 'scale'], 'perStudyClaims');
    perStudyClaims = {
      effect: c.str(p, 'effect', 'perStudyClaims') as string,
      ciLower: c.str(p, 'ciLower', 'perStudyClaims') as string,
      ciUpper: c.str(p, 'ciUpper', 'perStudyClaims') as string,
      decimals: c.num(p, 'decimals', 'perStudyClaims') as number,
      scale: c.oneOf(p, 'scale', 'perStudyClaims', ['analysis', 'natural'] as const) as 'analysis' | 'natural',
      ...opt('weight', c.str(p, 'weight', 'perStudyClaims', true)),
      ...opt('weightWithin', c.str(p, 'weightWithin', 'perStudyClaims', true)),
    };
    if (model === undefined)
      c.fail('model', "the review's model (per-study weights are recomputed with it)", undefined);
  }
  const claims = (c.arr(o, 'claims', 'provenance') as Json[]).map((x, i): PooledClaim => {
    const path = `claims[${i}]`;
    const cl = c.obj(x, path);
    c.noExtra(
      cl,
      [
        'id',
        'description',
        'outcome',
        'timepoint',
        'subgroup',
        'measure',
        'k',
        'participants',
        'estimate',
        'ciLower',
        'ciUpper',
        'pValue',
        'decimals',
        'scale',
        'source',
        'note',
        'fromRows',
      ],
      path,
    );
    return {
      id: c.str(cl, 'id', path) as string,
      description: c.str(cl, 'description', path) as string,
      outcome: c.str(cl, 'outcome', path) as string,
      measure: c.str(cl, 'measure', path) as string,
      estimate: c.num(cl, 'estimate', path) as number,
      decimals: c.num(cl, 'decimals', path) as number,
      source: c.str(cl, 'source', path) as string,
      ...opt('timepoint', c.str(cl, 'timepoint', path, true)),
      ...opt('subgroup', c.str(cl, 'subgroup', path, true)),
      ...opt('k', c.num(cl, 'k', path, true)),
      ...opt('participants', c.num(cl, 'participants', path, true)),
      ...opt('ciLower', c.num(cl, 'ciLower', path, true)),
      ...opt('ciUpper', c.num(cl, 'ciUpper', path, true)),
      ...opt('pValue', c.str(cl, 'pValue', path, true)),
      ...opt('scale', c.oneOf(cl, 'scale', path, ['analysis', 'natural'] as const, true)),
      ...opt('note', c.str(cl, 'note', path, true)),
      ...opt(
        'fromRows',
        cl['fromRows'] === undefined
          ? undefined
          : typeof cl['fromRows'] === 'boolean'
            ? cl['fromRows']
            : c.fail(`${path}.fromRows`, 'true or false', cl['fromRows']),
      ),
    };
  });
  const ids = new Set<string>();
  claims.forEach((cl, i) => {
    if (ids.has(cl.id)) c.fail(`claims[${i}].id`, 'an id not used by another claim', cl.id);
    ids.add(cl.id);
  });
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
  let subgroupDefinitions: Record<string, string> | undefined;
  if (o['subgroupDefinitions'] !== undefined)
    subgroupDefinitions = c.obj(o['subgroupDefinitions'], 'subgroupDefinitions') as Record<string, string>;
  if (o['teachingOnly'] !== undefined && typeof o['teachingOnly'] !== 'boolean')
    c.fail('teachingOnly', 'true or false', o['teachingOnly']);
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
    ...opt('perStudyClaims', perStudyClaims),
    claims,
    ...opt('notes', notes),
  };
}
