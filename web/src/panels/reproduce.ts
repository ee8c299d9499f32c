/**
 * The Reproduce tab (the CLI's `evsynth reproduce`): every published claim of a bundled dataset recomputed
 * from its rows by the engine's reproduceDataset, with the published and recomputed numbers, the difference,
 * the tolerance and the verdict; per-study effects, CIs and weights summarised, the differing ones listed.
 * Datasets without study rows (published claims only) are checked against one another where they can be.
 */
import { formatNumber, reproduceDataset, VERDICTS, type ClaimCheck, type DatasetReproduction } from 'evsynth';
import { BUNDLED, bundled, datasetOf, resolver } from '../bundled.ts';
import { dataTable, fillSelect, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { note, section } from './common.ts';

const value = (v: ClaimCheck['published'], d: number): string =>
  v === null
    ? '—'
    : Array.isArray(v)
      ? `${formatNumber(v[0] as number, d)} to ${formatNumber(v[1] as number, d)}`
      : formatNumber(v as number, d);
const diff = (d: number | null): string => (d === null ? '' : d === 0 ? '0' : d.toExponential(1));

export class ReproducePanel implements Panel {
  readonly id = 'reproduce';
  readonly title = 'Reproduce';
  readonly root = h('section', { 'aria-label': 'Reproduce published results' });
  private readonly select = h('select', { id: 'reproduce-dataset' });
  private readonly out = h('div', { 'data-testid': 'reproduce-results' });
  private shown = '';

  constructor(private readonly model: Model) {
    fillSelect(
      this.select,
      BUNDLED.map((d) => [d.name, `${d.name}${d.table === null ? ' (published claims only)' : ''}`] as const),
    );
    this.select.addEventListener('change', () => this.show(this.select.value));
    this.root.append(
      h(
        'p',
        { class: 'hint' },
        "Each bundled dataset records the numbers its source published. Here the engine recomputes them from the dataset's rows, as published (your edits and switches do not apply), and says whether each is reproduced to the printed precision.",
      ),
      h('div', { class: 'field inline' }, h('label', { for: this.select.id }, 'Dataset'), this.select),
      this.out,
    );
  }

  update(cur: Current): void {
    const want = cur.source.kind === 'dataset' ? cur.source.name : this.select.value;
    if (want !== this.shown) {
      this.select.value = want;
      this.show(want);
    }
    void this.model;
  }

  private show(name: string): void {
    this.shown = name;
    const b = bundled(name);
    if (!b) {
      this.out.replaceChildren(note(`No bundled dataset '${name}'.`));
      return;
    }
    let r: DatasetReproduction;
    try {
      r = reproduceDataset(datasetOf(b), resolver);
    } catch (e) {
      this.out.replaceChildren(h('p', { class: 'error-inline' }, messageOf(e)));
      return;
    }
    this.out.replaceChildren(...this.render(r));
  }

  private render(r: DatasetReproduction): HTMLElement[] {
    const parts: HTMLElement[] = [];
    const counts = VERDICTS.filter((v) => r.counts[v] > 0).map((v) => `${r.counts[v]} ${v}`);
    parts.push(
      h('h3', {}, r.title),
      h(
        'p',
        { 'data-testid': 'reproduce-summary' },
        r.rowsStatus === 'none'
          ? `No study rows: ${r.missing ?? 'the rows are not available'}.`
          : `${r.k} rows (${r.rowsStatus}); model: ${r.model}.`,
        ' ',
        counts.length > 0 ? `Verdicts: ${counts.join(', ')}.` : 'No published claims recorded.',
      ),
    );
    const pooled = r.checks.filter((c) => !c.kind.startsWith('study-'));
    const studies = r.checks.filter((c) => c.kind.startsWith('study-'));
    const verdict = (c: ClaimCheck) =>
      h('span', { class: `verdict verdict-${c.verdict.replace(/ /g, '-')}` }, c.verdict);
    if (pooled.length > 0)
      parts.push(
        section(
          'Published claims',
          scroller(
            dataTable(
              null,
              ['Claim', 'What', 'Published', 'Recomputed', 'Difference', 'Verdict'],
              pooled.map((c) => [
                c.claim,
                h('span', {}, c.description, c.detail ? h('span', { class: 'hint' }, ` ${c.detail}`) : null),
                value(c.published, c.decimals),
                value(c.recomputed, c.decimals + 2),
                diff(c.difference),
                verdict(c),
              ]),
              { numeric: [2, 3, 4], testid: 'reproduce-claims', className: 'reproduce-table' },
            ),
            'Published claims and their verdicts',
          ),
        ),
      );
    if (studies.length > 0) {
      const lines: HTMLElement[] = [];
      for (const kind of ['study-effect', 'study-ci', 'study-weight'] as const) {
        const cs = studies.filter((c) => c.kind === kind);
        if (cs.length === 0) continue;
        const ok = cs.filter((c) => c.verdict === 'reproduced').length;
        const max = Math.max(...cs.map((c) => c.difference ?? 0));
        const what =
          kind === 'study-effect' ? 'Per-study effects' : kind === 'study-ci' ? 'Per-study CIs' : 'Per-study weights';
        lines.push(
          h(
            'li',
            {},
            `${what}: ${ok} of ${cs.length} reproduced (largest difference ${diff(max)}, tolerance ${diff(cs[0]?.tolerance ?? null)})`,
          ),
        );
      }
      const differing = studies.filter((c) => c.verdict !== 'reproduced');
      parts.push(
        section(
          'Per-study numbers',
          h('ul', { 'data-testid': 'reproduce-studies' }, ...lines),
          differing.length > 0
            ? scroller(
                dataTable(
                  'Per-study numbers that differ',
                  ['Claim', 'Published', 'Recomputed', 'Difference', 'Verdict'],
                  differing.map((c) => [
                    c.claim,
                    value(c.published, c.decimals),
                    value(c.recomputed, c.decimals + 2),
                    diff(c.difference),
                    verdict(c),
                  ]),
                  { numeric: [1, 2, 3] },
                ),
                'Per-study numbers that differ',
              )
            : null,
        ),
      );
    }
    return parts;
  }
}
