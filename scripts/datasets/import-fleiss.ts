/**
 * Imports the bundled Fleiss (1993) datasets from the three RevMan/Cochrane format samples in
 * tests/fixtures/revman/ with `evsynth import`'s machinery (tests/import.test.ts checks that the committed
 * datasets equal a fresh import). Run from the repository root:
 *
 *   npx tsx scripts/datasets/import-fleiss.ts
 */
import type { ImportSource } from '../../src/evidence/import/to-dataset.ts';

const SOURCE: ImportSource = {
  citation:
    "Fleiss JL (1993). The statistical basis of meta-analysis. Statistical Methods in Medical Research 2:121-145; as the example review 'Examples from Fleiss (1993)' distributed with the R package meta (Schwarzer)",
  obtained: "format sample from the R package meta's inst/extdata/ (copied unchanged; tests/fixtures/revman/README.md)",
  repository: 'github.com/guido-s/meta',
  commit: 'e1233ac',
  licence:
    'The files are part of the R package meta (GPL-2 or later); the study data are the published examples of Fleiss (1993). Redistributed here for verification and teaching, with the source cited.',
};

/** Each bundled dataset: the sample it is imported from and the analysis. */
export const FLEISS_IMPORTS: readonly { name: string; file: string; analysis: string; source: ImportSource }[] = [
  { name: 'fleiss1993-aspirin', file: 'tests/fixtures/revman/Fleiss1993.zip', analysis: '1.1', source: SOURCE },
  {
    name: 'fleiss1993-mental-health-md',
    file: 'tests/fixtures/revman/Fleiss1993_CR.csv',
    analysis: '1.2',
    source: SOURCE,
  },
  {
    name: 'fleiss1993-mental-health-smd',
    file: 'tests/fixtures/revman/Fleiss1993.rm5',
    analysis: '1.2',
    source: SOURCE,
  },
];

if (process.argv[1]?.endsWith('import-fleiss.ts')) {
  const { importReview } = await import('../../src/evidence/import/files.ts');
  for (const d of FLEISS_IMPORTS) {
    const { written } = importReview(d.file, {
      out: `datasets/${d.name}`,
      analyses: [d.analysis],
      source: { ...d.source, file: d.file },
      force: true,
    });
    process.stdout.write(`${written.join(', ')}\n`);
  }
}
