/** Notebook 3: the seed chapter's claims — what was reproduced and what lacks study rows. */
import { reproduceDataset } from '../src/analysis/reproduce.ts';
import { listDatasetNames, loadDataset } from '../src/io/datasets.ts';
import { Notebook } from './lib.ts';

export async function run(): Promise<void> {
  const nb = new Notebook(
    '03-seed-chapter-claims',
    "The guideline chapter's claims: reproduced, not reproducible, inconsistent",
    '03-seed-chapter-claims.ts',
  );
  nb.md(`Chapter 29 (low back pain) of the Danish Health Authority's physical-activity handbook summarises six reviews. For each,
evsynth ships the published claims; where study rows exist it recomputes them, where they do not it says so and offers a
transcription template, and it checks that each published estimate, CI and p-value agree with one another.`);
  const rows: (string | number)[][] = [['dataset', 'claims', 'reproduced', 'differ', 'no study rows', 'inconsistent']];
  const problems: string[] = [];
  for (const name of listDatasetNames()) {
    const r = reproduceDataset(loadDataset(name));
    rows.push([
      name,
      r.checks.length,
      r.counts.reproduced,
      r.counts.differs,
      r.counts['no study rows'],
      r.counts.inconsistent,
    ]);
    for (const c of r.checks) if (c.verdict === 'inconsistent') problems.push(`- **${c.claim}**: ${c.detail}`);
  }
  nb.table(rows);
  nb.md(`## Inconsistent published numbers

${problems.join('\n') || 'None.'}

## What is missing

The per-study data of Searle 2015 (the 39-trial meta-analysis behind the chapter's SMD −0.32), Schaafsma 2013, Wang 2012,
Byström 2013, Dahm 2010 and Hilde 2002 were not reachable from this project. Their claims are kept with their sources and a
template (\`datasets/<name>/template.csv\`); nothing was estimated or filled in. The Cochrane datasets (knee osteoarthritis,
antidepressants) stand in as real per-study data, and every value RevMan printed for them is reproduced.`);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
