/**
 * Work kept across reloads in the browser's localStorage: the options, the studies switched off, the
 * loaded file (when it is not a bundled dataset) and the edited working copy of each source. Reset removes
 * it all. Storage may be unavailable (private windows, quotas): then nothing is kept, and the page says so.
 */
import type { Cells } from './model.ts';
import { valuesFrom, type Values } from './settings.ts';

const KEY = 'evsynth-explorer/v1';

export interface Saved {
  readonly values: Values;
  readonly off: readonly number[];
  /** The loaded version when it is a file or came in a link (bundled datasets are named in values.d). */
  readonly file: { readonly kind: 'file' | 'link'; readonly name: string; readonly csv: string } | null;
  /** Edited working copies (header and cells, valid or not), by source key ("dataset:name", "file:name"). */
  readonly edits: Readonly<Record<string, Cells>>;
}

export function load(): Saved | null {
  try {
    const text = localStorage.getItem(KEY);
    if (text === null) return null;
    const o = JSON.parse(text) as Partial<{
      values: Record<string, string>;
      off: number[];
      file: Saved['file'];
      edits: Record<string, Cells>;
    }>;
    return {
      values: valuesFrom(o.values ?? {}),
      off: Array.isArray(o.off) ? o.off.filter((x) => Number.isInteger(x) && x >= 0) : [],
      file: o.file && typeof o.file.csv === 'string' && typeof o.file.name === 'string' ? o.file : null,
      edits: o.edits && typeof o.edits === 'object' ? validEdits(o.edits) : {},
    };
  } catch {
    return null;
  }
}

/** Saves; false when the browser refused (quota, disabled storage). */
export function save(s: Saved): boolean {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
    return true;
  } catch {
    return false;
  }
}

export function clear(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing kept, nothing to clear
  }
}

/** Edits that have the shape of cells (anything else in storage is ignored). */
function validEdits(o: Record<string, unknown>): Record<string, Cells> {
  const out: Record<string, Cells> = {};
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((c) => typeof c === 'string');
  for (const [k, v] of Object.entries(o)) {
    const c = v as Partial<Cells>;
    if (strings(c.header) && Array.isArray(c.rows) && c.rows.every(strings))
      out[k] = { header: c.header, rows: c.rows };
  }
  return out;
}
