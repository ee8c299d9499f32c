/**
 * The Sensitivity tab (the CLI's `sensitivity`): leave-one-out and cumulative meta-analyses (tables and
 * forest plots), influence diagnostics, the Baujat plot, and GOSH, fitted in a Web Worker with a progress
 * bar and a Cancel button. Each plot's numbers are in the table beside it.
 */
import {
  numericColumn,
  plotSpec,
  sensitivityAnalyses,
  summarizeGosh,
  type GoshResult,
  type SensitivityResults,
} from 'evsynth';
import { dataTable, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { PlotView } from '../plot-view.ts';
import { ci, num, pct, pval, scaleOf } from '../show.ts';
import { Cancelled, WorkerClient, workerGoshRunner } from '../worker-client.ts';
import { plotRequest } from './analysis.ts';
import { newId, note, numericColumns, plainAnalysis, section, single } from './common.ts';
import { fillSelect } from '../dom.ts';

export class SensitivityPanel implements Panel {
  readonly id = 'sensitivity';
  readonly title = 'Sensitivity';
  readonly root = h('section', { 'aria-label': 'Sensitivity analyses' });
  private readonly body = h('div', { class: 'cards' });
  private readonly status = h('div', { class: 'error-inline', 'data-testid': 'sensitivity-error' });
  private readonly order = h('select', { id: 'opt-order' });
  private readonly goshBox = h('div', {});
  private readonly goshProgress = h('progress', { max: 1, value: 0, 'aria-label': 'GOSH progress' });
  private readonly goshText = h('span', { role: 'status', 'data-testid': 'gosh-status' });
  private readonly goshRun = h('button', { type: 'button', 'data-testid': 'gosh-run' }, 'Run GOSH');
  private readonly goshCancel = h('button', { type: 'button', disabled: true }, 'Cancel');
  private readonly goshPlot: PlotView;
  private readonly goshTableId = newId('gosh-table');
  private readonly worker = new WorkerClient();
  private token = 0;

  constructor(private readonly model: Model) {
    this.order.addEventListener('change', () => model.set({ order: this.order.value }, 'options'));
    const subsets = h('input', {
      type: 'number',
      id: 'opt-gsub',
      min: '10',
      step: '1',
      value: model.values.gsub,
      inputmode: 'numeric',
    });
    const seed = h('input', {
      type: 'number',
      id: 'opt-gseed',
      step: '1',
      value: model.values.gseed,
      inputmode: 'numeric',
    });
    subsets.addEventListener('change', () => model.set({ gsub: subsets.value }, 'options'));
    seed.addEventListener('change', () => model.set({ gseed: seed.value }, 'options'));
    this.goshRun.addEventListener('click', () => void this.runGosh());
    this.goshCancel.addEventListener('click', () => this.worker.cancel());
    this.goshPlot = new PlotView(h('div', {}), 'GOSH plot', this.goshTableId);
    this.root.append(
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: 'opt-order' }, 'Cumulative analysis: add studies in the order of'),
        this.order,
      ),
      this.status,
      this.body,
      section(
        'GOSH (every subset up to k = 20, a seeded random sample beyond)',
        h(
          'div',
          { class: 'toolbar' },
          h('label', { for: 'opt-gsub' }, 'Random subsets (k > 20)'),
          subsets,
          h('label', { for: 'opt-gseed' }, 'Seed'),
          seed,
          this.goshRun,
          this.goshCancel,
        ),
        h('div', { class: 'progress' }, this.goshProgress, this.goshText),
        this.goshBox,
        this.goshPlot.container,
      ),
    );
  }

  async update(cur: Current): Promise<void> {
    const token = ++this.token;
    this.worker.cancel();
    this.goshBox.replaceChildren();
    this.goshPlot.clear('Press "Run GOSH" to fit the subsets (in the background; the page stays usable).');
    this.goshProgress.value = 0;
    this.goshText.textContent = '';
    const t = cur.table;
    fillSelect(this.order, [['', 'input order'], ...(t ? numericColumns(t).map((c): [string, string] => [c, c]) : [])]);
    this.order.value = this.model.values.order;
    const pa = plainAnalysis(cur);
    if ('error' in pa) {
      this.status.textContent = cur.fit === null ? STALE : pa.error;
      this.body.replaceChildren();
      return;
    }
    this.status.textContent = '';
    const { a, table } = pa;
    const orderCol = this.model.values.order;
    let s: SensitivityResults;
    try {
      s = await sensitivityAnalyses(a, {
        leaveOneOut: true,
        cumulative:
          orderCol !== ''
            ? {
                column: orderCol,
                key: Float64Array.from(
                  a.studies.rows,
                  (r) => numericColumn(table, orderCol)[a.inputRows[r] as number] as number,
                ),
              }
            : true,
        influence: true,
        baujat: true,
      });
    } catch (e) {
      this.status.textContent = messageOf(e);
      this.body.replaceChildren();
      return;
    }
    if (token !== this.token) return;
    const sc = scaleOf(a.measure);
    const labels = s.labels;
    const cards: HTMLElement[] = [];
    const req = plotRequest(cur, this.model);
    const plot = (kind: 'leave-one-out' | 'cumulative' | 'baujat', label: string, tableId: string) => {
      const view = new PlotView(h('div', { 'data-testid': `plot-${kind}` }), label, tableId);
      if (req)
        void plotSpec(kind, {
          ...req,
          analysis: single(req.analysis),
          ...(kind === 'cumulative' && orderCol ? { order: orderCol } : {}),
        })
          .then((spec) => (token === this.token ? view.render(spec) : undefined))
          .catch((e: unknown) => view.clear(messageOf(e)));
      return view.container;
    };
    if (s.leaveOneOut) {
      const l = s.leaveOneOut;
      const id = newId('loo');
      const tbl = dataTable(
        'Leave-one-out',
        ['Omitted', `${sc.label} (${a.level}% CI)`, 'p', 'τ²', 'I²'],
        labels.map((lab, i) => [
          lab,
          ci(sc, l.estimate[i] as number, l.ciLower[i] as number, l.ciUpper[i] as number),
          pval(l.pValue[i]),
          num(l.tau2[i]),
          pct(l.I2[i]),
        ]),
        { numeric: [1, 2, 3, 4], testid: 'loo-table' },
      );
      tbl.id = id;
      cards.push(
        section(
          'Leave-one-out',
          plot('leave-one-out', 'Forest plot of the leave-one-out estimates', id),
          scroller(tbl, 'Leave-one-out table'),
        ),
      );
    }
    if (s.cumulative) {
      const c = s.cumulative;
      const id = newId('cum');
      const tbl = dataTable(
        `Cumulative (${c.column ? `by ${c.column}` : 'input order'})`,
        ['Adding', `${sc.label} (${a.level}% CI)`, 'p', 'τ²', 'I²'],
        c.order.map((idx, i) => [
          `+ ${labels[idx] ?? ''}`,
          ci(sc, c.estimate[i] as number, c.ciLower[i] as number, c.ciUpper[i] as number),
          pval(c.pValue[i]),
          num(c.tau2[i]),
          pct(c.I2[i]),
        ]),
        { numeric: [1, 2, 3, 4], testid: 'cumulative-table' },
      );
      tbl.id = id;
      cards.push(
        section(
          'Cumulative meta-analysis',
          plot('cumulative', 'Forest plot of the cumulative estimates', id),
          scroller(tbl, 'Cumulative table'),
        ),
      );
    }
    if (s.influence) {
      const f = s.influence;
      cards.push(
        section(
          'Influence diagnostics',
          scroller(
            dataTable(
              'Influence (metafor influence(); * marks an influential study)',
              ['Study', 'rstudent', 'DFFITS', "Cook's D", 'COVRATIO', 'τ² without', 'QE without', 'hat', 'weight', ''],
              labels.map((lab, i) => [
                lab,
                num(f.rstudent[i]),
                num(f.dffits[i]),
                num(f.cookD[i]),
                num(f.covRatio[i]),
                num(f.tau2Deleted[i]),
                num(f.QEDeleted[i], 2),
                num(f.hat[i]),
                pct(f.weight[i], 2),
                f.influential[i] ? '*' : '',
              ]),
              { numeric: [1, 2, 3, 4, 5, 6, 7, 8], testid: 'influence-table' },
            ),
            'Influence table',
          ),
        ),
      );
    }
    if (s.baujat) {
      const b = s.baujat;
      const id = newId('baujat');
      const tbl = dataTable(
        'Baujat coordinates',
        ['Study', 'Contribution to heterogeneity', 'Influence on the pooled result'],
        labels.map((lab, i) => [lab, num(b.x[i]), num(b.y[i])]),
        { numeric: [1, 2], testid: 'baujat-table' },
      );
      tbl.id = id;
      cards.push(
        section(
          'Baujat plot',
          plot('baujat', "Baujat plot: each study's contribution to heterogeneity against its influence", id),
          h('details', {}, h('summary', {}, 'The numbers'), scroller(tbl, 'Baujat table')),
        ),
      );
    }
    for (const sk of s.skipped) cards.push(note(`${sk.test}: not applicable (${sk.reason})`));
    this.body.replaceChildren(...cards);
  }

  private async runGosh(): Promise<void> {
    const cur = this.model.current();
    const pa = plainAnalysis(cur);
    if ('error' in pa) {
      this.goshText.textContent = pa.error;
      return;
    }
    const req = plotRequest(cur, this.model);
    if (!req) return;
    const subsets = Number(this.model.values.gsub) || undefined;
    const seed = Number(this.model.values.gseed);
    this.goshRun.disabled = true;
    this.goshCancel.disabled = false;
    this.goshText.textContent = 'Fitting subsets…';
    let last: GoshResult | null = null;
    const runner = workerGoshRunner(this.worker);
    try {
      const s = await sensitivityAnalyses(pa.a, {
        gosh: {
          ...(subsets !== undefined ? { subsets } : {}),
          ...(Number.isFinite(seed) ? { seed } : {}),
          onProgress: (d, t) => {
            this.goshProgress.max = t;
            this.goshProgress.value = d;
            this.goshText.textContent = `${d.toLocaleString('en-US')} of ${t.toLocaleString('en-US')} subsets`;
          },
        },
        goshRunner: async (fit, o) => (last = await runner(fit, o)),
      });
      const g = s.gosh;
      if (!g || !last) return;
      const sum = summarizeGosh(last);
      const sc = scaleOf(pa.a.measure);
      const tbl = dataTable(
        `GOSH: ${sum.subsets.toLocaleString('en-US')} subsets (${g.result.exhaustive ? 'every subset' : `random, seed ${g.result.seed ?? ''}`})`,
        ['', 'min', '25%', 'median', '75%', 'max'],
        [
          [
            `${sc.analysisLabel}`,
            num(sum.estimate.min),
            num(sum.estimate.q25),
            num(sum.estimate.median),
            num(sum.estimate.q75),
            num(sum.estimate.max),
          ],
          ['I²', pct(sum.I2.min), pct(sum.I2.q25), pct(sum.I2.median), pct(sum.I2.q75), pct(sum.I2.max)],
        ],
        { numeric: [1, 2, 3, 4, 5], testid: 'gosh-table' },
      );
      tbl.id = this.goshTableId;
      this.goshBox.replaceChildren(scroller(tbl, 'GOSH summary'));
      this.goshText.textContent = `Done: ${sum.subsets.toLocaleString('en-US')} subsets.`;
      // the plot from the finished result (the registry's GOSH plot, run again through a runner that returns it)
      const done = last;
      await this.goshPlot.render(
        await plotSpec('gosh', { ...req, analysis: single(req.analysis), goshRunner: () => Promise.resolve(done) }),
        `GOSH plot: ${sc.analysisLabel} against I² for ${sum.subsets} subsets`,
      );
    } catch (e) {
      this.goshText.textContent = e instanceof Cancelled ? 'Cancelled.' : messageOf(e);
    } finally {
      this.goshRun.disabled = false;
      this.goshCancel.disabled = true;
    }
  }
}
