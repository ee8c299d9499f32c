/**
 * The layers of src/ (docs/architecture.md): a folder may import only from folders below it, so that data flow
 * one way, io → effects → models → inference/diagnostics → analysis → plots/reports → cli. The test reads every
 * relative import of every module and names each import that goes up, with file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, normalize, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Lowest first. The package entries (src/index.ts, src/node.ts) sit on top of all of them. */
const LAYERS = [
  'core',
  'distributions',
  'io',
  'effects',
  'models',
  'inference',
  'diagnostics',
  'simulation',
  'cochrane',
  'evidence',
  'analysis',
  'grade',
  'plots',
  'report',
  'export',
  'cli',
] as const;

const src = fileURLToPath(new URL('../src/', import.meta.url));

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : /\.(ts|mts)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const folderOf = (file: string): string => relative(src, file).split('/')[0] ?? '';

describe('architecture', () => {
  const files = modules(src);

  it('puts every folder of src/ in a layer', () => {
    const folders = new Set(files.map(folderOf).filter((f) => !/\.(ts|mts)$/.test(f)));
    expect([...folders].filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const rank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
      if (rank < 0) continue; // the package entries
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const m of line.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
            const target = normalize(join(dirname(file), m[1] as string));
            const to = folderOf(target);
            const toRank = LAYERS.indexOf(to as (typeof LAYERS)[number]);
            if (toRank > rank) upward.push(`${relative(src, file)}:${i + 1} (${from}) imports ${to}: ${m[1]}`);
          }
        });
    }
    expect(upward).toEqual([]);
  });
});
