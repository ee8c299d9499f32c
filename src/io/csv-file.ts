/** Reading a CSV file (or standard input) from disk: the node-only side of the table reader (./csv.ts). */
import { Buffer, isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { EvsynthError } from '../core/errors.ts';
import { parseCsv, type CsvOptions, type DataTable } from './csv.ts';

/** The largest file read (V8 cannot hold a longer string). */
const MAX_BYTES = 512 * 1024 * 1024;

/** Why a file cannot be read, in words (from the system error code). */
function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory, not a file',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the name is too long',
  };
  return (code !== undefined ? words[code] : undefined) ?? code ?? (e as Error).message;
}

/**
 * The bytes as text: UTF-8 (with or without a byte-order mark); a file that is not valid UTF-8 but has no
 * NUL bytes is read as Windows-1252 (Excel's "CSV" on Western European systems) with a note; one with NUL
 * bytes (or mostly control characters) is binary and an error.
 */
function decode(bytes: Uint8Array, file: string): { text: string; note: string | null } {
  // the common case first: UTF-8 without NUL bytes (a NUL byte is a NUL character of the text; searching the
  // string is fast, Buffer.indexOf(0) took 85 ms on 24 MB)
  if (isUtf8(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    if (!text.includes('\0')) return { text, note: null };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 =
      bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    throw new EvsynthError(
      'CSV_SYNTAX',
      utf16
        ? 'the file is UTF-16 text; save it as UTF-8 CSV'
        : `not a text CSV file: it contains binary data (a NUL byte at byte ${nul + 1}); expected comma- or semicolon-separated text`,
      { file },
    );
  }
  {
    let control = 0;
    for (let i = 0; i < Math.min(bytes.length, 4096); i++) {
      const b = bytes[i] as number;
      if (b < 32 && b !== 9 && b !== 10 && b !== 13) control++;
    }
    if (control > 8)
      throw new EvsynthError('CSV_SYNTAX', 'not a text CSV file: it contains binary data (control bytes)', { file });
    return {
      text: new TextDecoder('windows-1252').decode(bytes),
      note: 'not valid UTF-8: read as Windows-1252 (save the file as UTF-8 CSV to be sure of its characters)',
    };
  }
}

/** Reads and parses a CSV file; `-` reads standard input. Errors say why a file cannot be read. */
export function readCsv(path: string, options: CsvOptions = {}): DataTable {
  const stdin = path === '-';
  const name = stdin ? '<stdin>' : path;
  let bytes: Uint8Array;
  try {
    if (stdin) {
      if (process.stdin.isTTY)
        throw new EvsynthError(
          'INVALID_ARGUMENT',
          "'-' reads the CSV from standard input, which is a terminal: pipe a file into it (evsynth fit - < data.csv)",
        );
    } else {
      const st = statSync(path);
      if (st.isDirectory())
        throw new EvsynthError('FILE_NOT_FOUND', `cannot read '${path}': it is a directory, not a CSV file`);
      if (st.size > MAX_BYTES)
        throw new EvsynthError(
          'INVALID_ARGUMENT',
          `cannot read '${path}': ${(st.size / 2 ** 20).toFixed(0)} MB is more than the ${MAX_BYTES / 2 ** 20} MB a table may have`,
        );
    }
    bytes = readFileSync(stdin ? 0 : path);
  } catch (e) {
    if (e instanceof EvsynthError) throw e;
    throw new EvsynthError('FILE_NOT_FOUND', `cannot read '${name}': ${reason(e)}`);
  }
  const { text, note } = decode(bytes, name);
  return parseCsv(text, name, options, note === null ? [] : [note]);
}
