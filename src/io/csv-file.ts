import { readFileSync } from 'node:fs';
import { EvsynthError } from '../core/errors.ts';
import { parseCsv, type DataTable } from './csv.ts';

/** Reads and parses a CSV file. */
export function readCsv(path: string): DataTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new EvsynthError('FILE_NOT_FOUND', `cannot read file '${path}'`);
  }
  return parseCsv(text, path);
}
