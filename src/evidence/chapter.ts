/**
 * A guideline chapter as a list of statements (`datasets/chapters/<name>.json`): each statement is one
 * sentence of the chapter, quoted exactly and located by section and paragraph, with the claims it
 * makes (schema: claims.ts). A claim may name the `dataset` of the review it rests on: its rows, or
 * the review's published claims (through `against`), then check it. See docs/claims.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvsynthError } from '../core/errors.ts';
import { Checker, opt, parseClaim, type Claim } from './claims.ts';
import { DATASETS_ROOT, listDatasetNames } from './datasets.ts';

export interface ChapterReference {
  /** The reference number as printed in the chapter. */
  readonly ref: string;
  readonly citation: string;
  /** The bundled dataset of this reference, if any. */
  readonly dataset?: string;
}

/** A claim of the chapter and the dataset (source review) it is checked with. */
export interface ChapterClaim {
  readonly claim: Claim;
  readonly dataset?: string;
}

export interface ChapterStatement {
  readonly id: string;
  /** The chapter's heading path, e.g. "Evidensbaseret grundlag for fysisk træning › Kroniske rygsmerter". */
  readonly section: string;
  /** Paragraph within the section, counted from 1. */
  readonly paragraph: number;
  /** The sentence exactly as printed. */
  readonly quote: string;
  readonly translation: string;
  /** Reference numbers the sentence cites (or, for the conclusion, rests on). */
  readonly refs: readonly string[];
  readonly claims: readonly ChapterClaim[];
  readonly note?: string;
}

export interface Chapter {
  readonly name: string;
  readonly title: string;
  readonly document: string;
  /** The chapter's text, next to the JSON file. */
  readonly text: string;
  readonly textSource: string;
  readonly language: string;
  /** How statements are located (page numbers, or section and paragraph). */
  readonly locator: string;
  readonly references: readonly ChapterReference[];
  readonly statements: readonly ChapterStatement[];
}

export const CHAPTERS_ROOT = join(DATASETS_ROOT, 'chapters');

/** Names of the bundled chapters (`datasets/chapters/<name>.json`). */
export function listChapterNames(root = CHAPTERS_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The chapter's text with words hyphenated across line ends joined and whitespace collapsed (quotes are matched against it). */
function normalizeChapterText(text: string): string {
  return text.replace(/-\r?\n(?=[a-zæøå])/g, '').replace(/\s+/g, ' ');
}

/** Loads and validates a chapter: fields, unique ids, datasets that exist, and every quote found verbatim in its text. */
export function loadChapter(name: string, root = CHAPTERS_ROOT, datasetsRoot = DATASETS_ROOT): Chapter {
  const file = join(root, `${name}.json`);
  if (!existsSync(file))
    throw new EvsynthError('FILE_NOT_FOUND', `no chapter '${name}' (bundled: ${listChapterNames(root).join(', ')})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EvsynthError('INVALID_VALUE', `not valid JSON: ${(e as Error).message}`, { file });
  }
  const c = new Checker(file);
  const o = c.obj(json, 'chapter');
  c.noExtra(
    o,
    ['title', 'document', 'text', 'textSource', 'language', 'locator', 'references', 'statements'],
    'chapter',
  );
  const datasets = new Set(listDatasetNames(datasetsRoot));
  const checkDataset = (d: string | undefined, path: string) => {
    if (d !== undefined && !datasets.has(d)) c.fail(path, `a bundled dataset (${[...datasets].join(', ')})`, d);
  };
  const references = (c.arr(o, 'references', 'chapter') as unknown[]).map((x, i): ChapterReference => {
    const path = `references[${i}]`;
    const r = c.obj(x, path);
    c.noExtra(r, ['ref', 'citation', 'dataset'], path);
    const dataset = c.str(r, 'dataset', path, true);
    checkDataset(dataset, `${path}.dataset`);
    return {
      ref: c.str(r, 'ref', path) as string,
      citation: c.str(r, 'citation', path) as string,
      ...opt('dataset', dataset),
    };
  });
  const ids = new Set<string>();
  const statements = (c.arr(o, 'statements', 'chapter') as unknown[]).map((x, i): ChapterStatement => {
    const path = `statements[${i}]`;
    const s = c.obj(x, path);
    c.noExtra(s, ['id', 'section', 'paragraph', 'quote', 'translation', 'refs', 'claims', 'note'], path);
    const id = c.str(s, 'id', path) as string;
    const section = c.str(s, 'section', path) as string;
    const paragraph = c.count(s, 'paragraph', path) as number;
    const quote = c.str(s, 'quote', path) as string;
    const claims = (c.arr(s, 'claims', path) as unknown[]).map((y, j): ChapterClaim => {
      const cpath = `${path}.claims[${j}]`;
      const raw = { ...c.obj(y, cpath) };
      const dataset = typeof raw['dataset'] === 'string' ? raw['dataset'] : undefined;
      if (raw['dataset'] !== undefined && dataset === undefined)
        c.fail(`${cpath}.dataset`, 'a dataset name', raw['dataset']);
      checkDataset(dataset, `${cpath}.dataset`);
      delete raw['dataset'];
      raw['source'] ??= `chapter: ${section}, paragraph ${paragraph}`;
      raw['quote'] ??= quote;
      raw['section'] ??= `${section}, paragraph ${paragraph}`;
      const claim = parseClaim(c, raw, cpath);
      if (ids.has(claim.id)) c.fail(`${cpath}.id`, 'an id not used by another claim or statement', claim.id);
      ids.add(claim.id);
      return { claim, ...opt('dataset', dataset) };
    });
    if (ids.has(id)) c.fail(`${path}.id`, 'an id not used by another statement or claim', id);
    ids.add(id);
    return {
      id,
      section,
      paragraph,
      quote,
      translation: c.str(s, 'translation', path) as string,
      refs: (c.arr(s, 'refs', path) as unknown[]).map((r, j) =>
        typeof r === 'string' ? r : c.fail(`${path}.refs[${j}]`, 'a reference number as a string', r),
      ),
      claims,
      ...opt('note', c.str(s, 'note', path, true)),
    };
  });
  const textName = c.str(o, 'text', 'chapter') as string;
  const textFile = join(root, textName);
  if (!existsSync(textFile)) c.fail('chapter.text', 'a text file next to the chapter file', textName);
  const text = normalizeChapterText(readFileSync(textFile, 'utf8'));
  statements.forEach((s, i) => {
    if (!text.includes(s.quote)) c.fail(`statements[${i}].quote`, `a sentence found verbatim in ${textName}`, s.quote);
  });
  return {
    name,
    title: c.str(o, 'title', 'chapter') as string,
    document: c.str(o, 'document', 'chapter') as string,
    text: textName,
    textSource: c.str(o, 'textSource', 'chapter') as string,
    language: c.str(o, 'language', 'chapter') as string,
    locator: c.str(o, 'locator', 'chapter') as string,
    references,
    statements,
  };
}
