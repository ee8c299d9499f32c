/**
 * The package's `evsynth` entry (src/index.ts) must bundle for the browser as is: no module it reaches may
 * import a Node.js built-in (`node:…`), a native module or the worker pools. Node-only code is exported from
 * src/node.ts (`evsynth/node`). This walks the static import graph of the sources, so a violation is named
 * here, with its import chain, long before the packed-package test bundles it for the browser.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const NODE_ONLY_PACKAGES = ['@resvg/resvg-js', 'dejavu-fonts-ttf', 'tsx', 'commander'];

/** Every module reachable from `entry` by static (type-erased) imports, with the chain that reaches it. */
function graph(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms)) {
      const spec = m[1] as string;
      const chain = [...(chains.get(f) ?? []), spec];
      if (!spec.startsWith('.')) {
        chains.set(spec, chain);
        continue;
      }
      const target = resolve(dirname(f), spec);
      if (!chains.has(target)) {
        chains.set(target, chain);
        queue.push(target);
      }
    }
  }
  return chains;
}

describe('the pure entry point (evsynth)', () => {
  it('reaches no node: built-in, native module, CLI library or worker pool', () => {
    const g = graph(resolve(src, 'index.ts'));
    const bad = [...g.entries()].filter(
      ([m]) =>
        m.startsWith('node:') ||
        NODE_ONLY_PACKAGES.some((p) => m === p || m.startsWith(`${p}/`)) ||
        /-parallel\.ts$|csv-file\.ts$|datasets\.ts$|render\.ts$/.test(m),
    );
    const where = bad.map(
      ([m, chain]) => `${m} via ${chain.map((c) => (c.startsWith('/') ? relative(src, c) : c)).join(' → ')}`,
    );
    expect(where, 'export node-only code from src/node.ts (evsynth/node) instead').toEqual([]);
  });
});
