/**
 * "The chapter at a glance": every statement of a guideline chapter, in order, with the verdict of
 * each of its claims (checked against the source review's rows where the project holds them, else
 * against the review's published numbers, else "not checkable").
 */
import type { Chapter, ChapterStatement } from '../evidence/chapter.ts';
import type { Dataset } from '../evidence/datasets.ts';
import { checkClaim, countVerdicts, datasetResolver, VERDICTS, type ClaimCheck, type Verdict } from './reproduce.ts';

/** A statement's overall verdict: the worst of its checked claims; 'partly checkable' when some claims cannot be checked. */
export type StatementVerdict = Verdict | 'partly checkable';

export interface StatementReport {
  readonly statement: ChapterStatement;
  /** Citations of the statement's references (or "ref n: not known"). */
  readonly sources: readonly string[];
  readonly checks: readonly (ClaimCheck & { readonly dataset: string | null })[];
  readonly verdict: StatementVerdict;
}

export interface ChapterReport {
  readonly chapter: string;
  readonly title: string;
  readonly locator: string;
  readonly statements: readonly StatementReport[];
  /** Claims by verdict, over all statements. */
  readonly claimCounts: Readonly<Record<Verdict, number>>;
  /** Claims by kind and verdict. */
  readonly byKind: Readonly<Record<string, Readonly<Record<Verdict, number>>>>;
  /** Statements by overall verdict. */
  readonly statementCounts: Readonly<Record<StatementVerdict, number>>;
}

const ORDER: readonly Verdict[] = ['differs', 'inconsistent', 'consistent', 'reproduced'];

function statementVerdict(checks: readonly ClaimCheck[]): StatementVerdict {
  const checked = checks.filter((c) => c.verdict !== 'not checkable');
  if (checked.length === 0) return 'not checkable';
  const worst = ORDER.find((v) => checked.some((c) => c.verdict === v)) as Verdict;
  return checked.length < checks.length && (worst === 'consistent' || worst === 'reproduced')
    ? 'partly checkable'
    : worst;
}

/** Checks every claim of every statement; `load` opens a bundled dataset by name. */
export function reproduceChapter(ch: Chapter, load: (name: string) => Dataset): ChapterReport {
  const resolve = datasetResolver(load);
  const opened = new Map<string, Dataset>();
  const open = (n: string) => {
    let d = opened.get(n);
    if (d === undefined) {
      d = load(n);
      opened.set(n, d);
    }
    return d;
  };
  const refs = new Map(ch.references.map((r) => [r.ref, r]));
  const statements = ch.statements.map((s): StatementReport => {
    const checks = s.claims.map((cc) => {
      const ds = cc.dataset !== undefined ? open(cc.dataset) : null;
      // `against` in a chapter claim names the dataset's claim without the "dataset#" prefix
      const claim =
        cc.claim.against !== undefined && !cc.claim.against.includes('#') && cc.dataset !== undefined
          ? { ...cc.claim, against: `${cc.dataset}#${cc.claim.against}` }
          : cc.claim;
      return { ...checkClaim(claim, ds, resolve), dataset: cc.dataset ?? null };
    });
    return {
      statement: s,
      sources: s.refs.map((r) => `(${r}) ${refs.get(r)?.citation ?? 'not known: the chapter has no reference list'}`),
      checks,
      verdict: statementVerdict(checks),
    };
  });
  const all = statements.flatMap((s) => s.checks);
  const kinds = [...new Set(all.map((c) => c.kind))];
  const statementCounts = Object.fromEntries(
    [...VERDICTS, 'partly checkable' as const].map((v) => [v, statements.filter((s) => s.verdict === v).length]),
  ) as Record<StatementVerdict, number>;
  return {
    chapter: ch.name,
    title: ch.title,
    locator: ch.locator,
    statements,
    claimCounts: countVerdicts(all),
    byKind: Object.fromEntries(kinds.map((k) => [k, countVerdicts(all.filter((c) => c.kind === k))])),
    statementCounts,
  };
}
