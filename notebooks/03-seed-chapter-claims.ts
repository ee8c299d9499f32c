/** Notebook 3: the guideline chapter at a glance — every statement, its source review, and what evsynth can say about it. */
import { reproduceChapter } from '../src/analysis/chapter.ts';
import { datasetResolver, reproduceDataset, VERDICTS } from '../src/analysis/reproduce.ts';
import { loadChapter } from '../src/evidence/chapter.ts';
import { listDatasetNames, loadDataset } from '../src/evidence/datasets.ts';
import { chapterMarkdown } from '../src/report/reproduce-text.ts';
import { Notebook } from './lib.ts';

export async function run(): Promise<void> {
  const nb = new Notebook(
    '03-seed-chapter-claims',
    'The guideline chapter at a glance: which of its sentences rest on data this project holds',
    '03-seed-chapter-claims.ts',
  );
  const ch = loadChapter('ch29-low-back-pain');
  const r = reproduceChapter(ch, (n) => loadDataset(n));
  const c = r.statementCounts,
    k = r.claimCounts;
  const nClaims = Object.values(k).reduce((a, b) => a + b, 0);
  nb.md(`Chapter 29 (low back pain) of the Danish Health Authority's physical-activity handbook, sentence by sentence
(\`datasets/chapters/ch29-low-back-pain.json\`; the Danish text is \`datasets/chapters/ch29-low-back-pain.da.txt\`, and
every quote below is checked to occur in it verbatim). ${ch.locator}

Each sentence is split into claims: pooled numbers, counts of studies and participants, qualitative findings (direction,
"significant", "no significant effect"), and statements no data can check (population, certainty of evidence,
recommendations, background). A claim is **reproduced** when recomputed from study rows, **consistent** when it agrees
with the source review's own published numbers (no rows), **inconsistent** or **differs** when it does not, and **not
checkable** when the project holds nothing to check it with. This is what \`npx evsynth reproduce --chapter\` prints.

**${r.statements.length} statements**: ${c.reproduced} reproduced from study rows, ${c.consistent} consistent with the
reviews' published numbers, ${c['partly checkable']} partly checkable (some claims consistent, the rest not checkable),
${c.inconsistent + c.differs} contradicted, ${c['not checkable']} not checkable.
**${nClaims} claims**: ${k.reproduced} reproduced, ${k.consistent} consistent, ${k.inconsistent} inconsistent, ${k.differs} differ, ${k['not checkable']} not checkable.`);
  nb.table([
    ['kind of claim', ...VERDICTS],
    ...Object.entries(r.byKind).map(([kind, t]) => [kind, ...VERDICTS.map((v) => t[v])]),
  ]);
  nb.md(`No sentence of the chapter can be *reproduced*: the per-study data of its reviews (Searle 2015, Schaafsma 2013,
Wang 2012, Byström 2013, Dahm 2010, Hilde 2002) were not reachable from this project (see \`../shared/seed-data/README.md\`);
each ships as a claims-only dataset with a transcription template. What *can* be said is whether the chapter quotes
its sources faithfully. It does, where the sources were read, with three cautions recorded in the claims' notes: the
chapter says "ingen effekt" (no effect) of aerobic training where the review found no significant effect; it compares
exercise with "kontrolgrupperne" (the control groups) where Searle compared it with "a control group or other treatment
group"; and "I to højkvalitetsstudier" (two high-quality studies) for sick days could not be matched to the one trial
behind Hilde 2002's sick-leave result.`);
  nb.md('## Every statement, in order\n\n' + chapterMarkdown(r));
  // the reviews' own published claims (not the chapter's sentences)
  const resolve = datasetResolver((n) => loadDataset(n));
  const reps = listDatasetNames().map((n) => reproduceDataset(loadDataset(n), resolve));
  const seed = reps.filter((x) => x.rowsStatus === 'none');
  const problems = reps.flatMap((x) =>
    x.checks.filter((ck) => ck.verdict === 'inconsistent').map((ck) => `- **${x.dataset}: ${ck.claim}**: ${ck.detail}`),
  );
  nb.md(`## The reviews' own published claims

The claims-only datasets hold what the reviews printed (abstracts and secondary sources, each with its source):`);
  nb.table([
    ['dataset', 'claims', ...VERDICTS],
    ...seed.map((x) => [x.dataset, x.checks.length, ...VERDICTS.map((v) => x.counts[v])]),
  ]);
  nb.md(`Internally inconsistent published numbers (estimate, CI and P checked against one another):

${problems.join('\n') || 'None.'}

## Not the chapter: the Cochrane stand-in datasets

The knee-osteoarthritis and antidepressant datasets are real per-study data from Cochrane reviews the chapter does *not*
cite; they stand in for the unavailable rows. Their checks are per-study values RevMan printed, not claims of the chapter:`);
  const stand = reps.filter((x) => x.checks.some((ck) => ck.kind.startsWith('study-')));
  nb.table([
    ['dataset', 'rows', 'per-study effects, CIs and weights', 'reproduced'],
    ...stand.map((x) => {
      const s = x.checks.filter((ck) => ck.kind.startsWith('study-'));
      return [x.dataset, x.k, s.length, s.filter((ck) => ck.verdict === 'reproduced').length];
    }),
  ]);
  nb.md(`None of these datasets has a published pooled result in this project (the Cochrane export holds the per-study
values only), so no pooled result of them is checked.`);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
