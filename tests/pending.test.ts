/**
 * Oracle families that later issues implement. They are listed here as pending (it.todo), case by
 * case, so the test output shows what is not yet checked instead of skipping it silently.
 */
import { describe, it } from 'vitest';
import { loadCases } from './oracle.ts';

const PENDING: Record<string, string> = {
};
const cases = loadCases('metafor-oracle-public.json');

for (const [family, owner] of Object.entries(PENDING)) {
  describe(`pending: ${family} — ${owner}`, () => {
    for (const c of cases.filter((x) => x.family === family)) it.todo(c.id);
  });
}
