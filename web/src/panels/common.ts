/** Pieces shared by the analysis tabs. */
import {
  analyzeTable,
  numericColumn,
  overallOf,
  type AnalysisRequest,
  type DataTable,
  type MetaAnalysis,
} from 'evsynth';
import { h } from '../dom.ts';
import type { Current } from '../model.ts';

/** The request without subgroups (diagnostics, regression and plots other than the forest use the whole analysis, as the CLI). */
export function single(request: AnalysisRequest): AnalysisRequest {
  const { by: _by, missingGroups: _m, ...rest } = request;
  return rest;
}

/** The plain meta-analysis of the switched-on rows (no subgroups), or the reason there is none. */
export function plainAnalysis(cur: Current): { a: MetaAnalysis; table: DataTable } | { error: string } {
  if (cur.table === null || cur.fit === null) return { error: cur.error ?? 'no data' };
  try {
    const a = overallOf(analyzeTable(cur.table, single(cur.request), cur.context).result);
    return { a, table: cur.table };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Columns whose every non-missing cell is a number (candidates for moderators, cumulative order, clusters). */
export function numericColumns(t: DataTable): string[] {
  return t.header.filter((c) => {
    try {
      const x = numericColumn(t, c);
      return x.some((v) => Number.isFinite(v));
    } catch {
      return false;
    }
  });
}

/** A section with a heading. */
export function section(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'card' }, h('h3', {}, title), ...children);
}

/** A "not available" note with the engine's reason. */
export function note(text: string, testid?: string): HTMLElement {
  return h('p', { class: 'muted', 'data-testid': testid }, text);
}

let uid = 0;
/** A unique element id. */
export const newId = (prefix: string) => `${prefix}-${++uid}`;
