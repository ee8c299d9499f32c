/**
 * A reader of Office Open XML spreadsheets (`.xlsx`, ECMA-376 part 1 §18): the workbook's sheets in order,
 * each as cells with their values as stored, its merged ranges, and formulas with or without a cached value.
 * Built on fflate (zip) and fast-xml-parser (XML), both maintained and dependency-light, instead of SheetJS
 * (the registry's `xlsx` 0.18.5 has CVE-2023-30533, fixed only outside the registry) or exceljs (4.4.0 pulls
 * about 200 packages, several deprecated): reading values, merges and formulas is all evsynth needs, and a
 * formula without a cached value or a merged header must be seen, not silently read as empty.
 * Pure: takes the file's bytes.
 */
import { unzipSync, zipSync } from 'fflate';
import { XMLParser } from 'fast-xml-parser';
import { EvsynthError } from '../../core/errors.ts';

export interface XlsxCell {
  /** "C5" */
  readonly ref: string;
  /** 1-based row and column. */
  readonly row: number;
  readonly col: number;
  /** The value as text: a number as stored ("12.5"), a string, TRUE/FALSE, an error ("#N/A"). */
  readonly text: string;
  readonly type: 'number' | 'string' | 'boolean' | 'error';
  /** The formula, when the cell has one. */
  readonly formula?: string;
  /** True for a formula cell with no cached value: its value is unknown without recalculating. */
  readonly uncached?: boolean;
}

export interface XlsxSheet {
  readonly name: string;
  readonly cells: readonly XlsxCell[];
  /** Merged ranges ("B1:D1"). */
  readonly merges: readonly string[];
}

/** Column letters → 1-based number ("A" → 1, "AA" → 27). */
function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}
/** 1-based column number → letters. */
export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
/** "C5" → { row: 5, col: 3 }. */
export function parseRef(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/i.exec(ref.replace(/\$/g, ''));
  if (!m) throw new EvsynthError('INVALID_VALUE', `'${ref}' is not a cell reference`);
  return { row: Number(m[2]), col: columnNumber(m[1] as string) };
}

type Node = Record<string, unknown>;
const list = (x: unknown): Node[] => (Array.isArray(x) ? (x as Node[]) : x === undefined ? [] : [x as Node]);
const ARRAYS = new Set(['sheet', 'Relationship', 'si', 'r', 'row', 'c', 'mergeCell']);

/** Text of a shared or inline string (`<t>`, or rich text runs `<r><t>`). */
function stringItem(si: Node | undefined): string {
  if (si === undefined) return '';
  const t = si['t'];
  if (t !== undefined) return typeof t === 'object' ? String((t as Node)['#text'] ?? '') : String(t);
  return list(si['r'])
    .map((r) => {
      const rt = r['t'];
      return typeof rt === 'object' ? String((rt as Node)['#text'] ?? '') : String(rt ?? '');
    })
    .join('');
}

/** Reads every sheet of a workbook. Errors name `file` and what was expected. */
export function readXlsx(bytes: Uint8Array, file: string): XlsxSheet[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.endsWith('.xml') || f.name.endsWith('.rels') });
  } catch (e) {
    throw new EvsynthError('INVALID_VALUE', `not a readable .xlsx file (${(e as Error).message})`, { file });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    removeNSPrefix: true,
    isArray: (name) => ARRAYS.has(name),
  });
  const xml = (name: string): Node | null => {
    const b = entries[name];
    return b ? (parser.parse(new TextDecoder('utf-8').decode(b)) as Node) : null;
  };
  const wb = xml('xl/workbook.xml');
  if (wb === null)
    throw new EvsynthError('INVALID_VALUE', 'no xl/workbook.xml inside; expected an Excel workbook (.xlsx)', { file });
  const rels = new Map(
    list((xml('xl/_rels/workbook.xml.rels')?.['Relationships'] as Node | undefined)?.['Relationship']).map((r) => [
      String(r['Id']),
      String(r['Target']),
    ]),
  );
  const shared = list((xml('xl/sharedStrings.xml')?.['sst'] as Node | undefined)?.['si']).map(stringItem);
  const sheets = list(((wb['workbook'] as Node)['sheets'] as Node | undefined)?.['sheet']);
  return sheets.map((s) => {
    const name = String(s['name']);
    const target = rels.get(String(s['id'] ?? s['r:id'])) ?? '';
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    const doc = xml(path);
    if (doc === null)
      throw new EvsynthError('INVALID_VALUE', `sheet '${name}' (${path}) is missing from the workbook`, { file });
    const ws = doc['worksheet'] as Node;
    const cells: XlsxCell[] = [];
    for (const row of list((ws['sheetData'] as Node | undefined)?.['row']))
      for (const c of list(row['c'])) {
        const ref = String(c['r']);
        const { row: r, col } = parseRef(ref);
        const t = String(c['t'] ?? 'n');
        const f = c['f'];
        const formula =
          f === undefined ? undefined : typeof f === 'object' ? String((f as Node)['#text'] ?? '') : String(f);
        const v = c['v'] === undefined ? undefined : String(c['v']);
        let text: string;
        let type: XlsxCell['type'];
        if (t === 's') {
          text = shared[Number(v)] ?? '';
          type = 'string';
        } else if (t === 'inlineStr') {
          text = stringItem(c['is'] as Node | undefined);
          type = 'string';
        } else if (t === 'str') {
          text = v ?? '';
          type = 'string';
        } else if (t === 'b') {
          text = v === '1' ? 'TRUE' : 'FALSE';
          type = 'boolean';
        } else if (t === 'e') {
          text = v ?? '#ERROR';
          type = 'error';
        } else {
          text = v ?? '';
          type = 'number';
        }
        const uncached = formula !== undefined && v === undefined;
        if (text === '' && formula === undefined) continue;
        cells.push({
          ref,
          row: r,
          col,
          text,
          type,
          ...(formula !== undefined ? { formula } : {}),
          ...(uncached ? { uncached: true } : {}),
        });
      }
    const merges = list((ws['mergeCells'] as Node | undefined)?.['mergeCell']).map((m) => String(m['ref']));
    return { name, cells, merges };
  });
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A minimal workbook with one sheet: a header row and rows of cells, numbers as numbers and everything else
 * as shared strings (ECMA-376; the form Excel writes and every reader reads: inline strings are valid too, but
 * R's openxlsx misreads them). For `evsynth export xlsx`.
 */
export function writeXlsx(
  sheet: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  isNumber: (s: string) => boolean,
): Uint8Array {
  const enc = (s: string) => new TextEncoder().encode(s);
  const strings = new Map<string, number>();
  const stringIndex = (s: string) => {
    let i = strings.get(s);
    if (i === undefined) strings.set(s, (i = strings.size));
    return i;
  };
  const cell = (r: number, c: number, s: string, numeric: boolean) =>
    s === ''
      ? ''
      : numeric
        ? `<c r="${columnLetters(c)}${r}"><v>${s}</v></c>`
        : `<c r="${columnLetters(c)}${r}" t="s"><v>${stringIndex(s)}</v></c>`;
  const data = [header, ...rows]
    .map((r, i) => `<row r="${i + 1}">${r.map((s, j) => cell(i + 1, j + 1, s, i > 0 && isNumber(s))).join('')}</row>`)
    .join('');
  const ns = 'http://schemas.openxmlformats.org';
  const sst = [...strings.keys()]
    .map((t) => `<si><t${/^\s|\s$/.test(t) ? ' xml:space="preserve"' : ''}>${xmlEscape(t)}</t></si>`)
    .join('');
  return zipSync({
    '[Content_Types].xml': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    ),
    '_rels/.rels': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    'xl/workbook.xml': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="${xmlEscape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    'xl/sharedStrings.xml': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${ns}/spreadsheetml/2006/main" count="${strings.size}" uniqueCount="${strings.size}">${sst}</sst>`,
    ),
    'xl/worksheets/sheet1.xml': enc(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${data}</sheetData></worksheet>`,
    ),
  });
}
