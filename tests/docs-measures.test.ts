import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC, withMeasureTable } from '../scripts/docs/measures.ts';

describe('docs/cli.md lists every measure of the registry', () => {
  it('has the table the registry generates (run npm run docs:measures after changing a measure)', () => {
    const doc = readFileSync(DOC, 'utf8');
    expect(doc).toBe(withMeasureTable(doc));
  });
});
