/** Typed access to the metafor golden cases (tests/fixtures/*.json). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface OracleCase {
  readonly id: string;
  readonly family: string;
  readonly dataset?: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly input: Readonly<Record<string, readonly (number | string | null)[]>>;
  readonly expected: Readonly<Record<string, unknown>>;
  readonly expected_precise?: Readonly<Record<string, unknown>>;
  readonly stochastic?: boolean;
  readonly warnings?: readonly string[];
}

export function loadCases(file: string): OracleCase[] {
  const path = fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as OracleCase[];
}

/** Numeric column with R's NA (null) as NaN. */
export function num(c: OracleCase, name: string): Float64Array | undefined {
  const raw: unknown = c.input[name];
  if (raw === undefined) return undefined;
  const col = Array.isArray(raw) ? (raw as unknown[]) : [raw]; // jsonlite unboxes length-1 vectors
  return Float64Array.from(col, (v) => (v === null ? Number.NaN : Number(v)));
}

export function labels(c: OracleCase): string[] {
  const s = c.input['slab'];
  const first: unknown = Object.values(c.input)[0];
  const k = Array.isArray(first) ? first.length : 1;
  return s ? s.map(String) : Array.from({ length: k }, (_, i) => `Study ${i + 1}`);
}
