/**
 * The Regression tab (the CLI's `regress`): a mixed-effects meta-regression on the table's columns in R's
 * formula notation, with predictions, an optional permutation test (in the worker, with progress) and the
 * bubble plot with CI and PI bands.
 */
import { plotSpec, resolveAnalysisOptions, type RegressionSummary } from 'evsynth';
import { dataTable, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { PlotView } from '../plot-view.ts';
import { num, pct, pval } from '../show.ts';
import type { Key } from '../settings.ts';
import { Cancelled, WorkerClient } from '../worker-client.ts';
import { plotRequest } from './analysis.ts';
import { newId, note, section, single } from './common.ts';
import { groupingColumns } from '../options.ts';

/** "10, 1950; 30, 1960" → [[10, 1950], [30, 1960]] (the CLI's --predict), or an error naming the bad value. */
function parsePoints(text: string): number[][] {
  return text.split(';').map((pt) =>
    pt.split(',').map((x) => {
      const v = Number(x.trim());
      if (x.trim() === '' || !Number.isFinite(v))
        throw new Error(`Predict at: '${x.trim()}' is not a number (format: "10, 1950; 30, 1960")`);
      return v;
    }),
  );
}

export class RegressionPanel implements Panel {
  readonly id = 'regression';
  readonly title = 'Regression';
  readonly root = h('section', { 'aria-label': 'Meta-regression' });
  private readonly out = h('div', { 'data-testid': 'regression-results' });
  private readonly status = h('div', { class: 'error-inline', 'data-testid': 'regression-error', role: 'status' });
  private readonly progress = h('progress', {
    max: 1,
    value: 0,
    'aria-label': 'Permutation test progress',
    hidden: true,
  });
  private readonly cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
  private readonly columnsHint = h('p', { class: 'hint', id: 'mods-hint' });
  private readonly tableId = newId('reg-table');
  private readonly bubble = new PlotView(h('div', { 'data-testid': 'plot-bubble' }), 'Bubble plot', this.tableId);
  private readonly inputs: [Key, HTMLInputElement][] = [];
  private readonly worker = new WorkerClient();
  private token = 0;

  constructor(private readonly model: Model) {
    const input = (key: Key, label: string, attrs: Record<string, string>) => {
      const el = h('input', { id: `opt-${key}`, ...attrs });
      el.addEventListener('change', () => model.set({ [key]: el.value.trim() }, 'options'));
      this.inputs.push([key, el]);
      return h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
    };
    const mods = input('mods', 'Moderators (R formula: year + factor(type); "0 +" drops the intercept)', {
      type: 'text',
      placeholder: 'year',
      'aria-describedby': 'mods-hint',
      'data-testid': 'mods',
    });
    this.cancel.addEventListener('click', () => this.worker.cancel());
    this.root.append(
      section(
        'Model',
        mods,
        this.columnsHint,
        input('predict', 'Predict at moderator values (one per coefficient; points separated by ;)', {
          type: 'text',
          placeholder: '10; 30',
        }),
        input(
          'perm',
          'Permutation test: number of random permutations (empty: none; exact when there are fewer distinct ones)',
          { type: 'number', min: '1', step: '1', inputmode: 'numeric' },
        ),
        input('pseed', 'Seed of the permutations', { type: 'number', step: '1', inputmode: 'numeric' }),
        h('div', { class: 'progress' }, this.progress, this.cancel),
      ),
      this.status,
      this.out,
      section('Bubble plot', this.bubble.container),
    );
  }

  async update(cur: Current): Promise<void> {
    const token = ++this.token;
    const v = this.model.values;
    for (const [k, el] of this.inputs) el.value = v[k];
    const t = cur.table;
    this.columnsHint.textContent = t
      ? `Columns: ${
          groupingColumns(t.header)
            .concat(t.header.filter((c) => /^year$/.test(c)))
            .join(', ') || 'none besides the effect-size input'
        }`
      : '';
    if (v.mods === '') {
      this.status.textContent = '';
      this.out.replaceChildren(
        note('Give moderators (for example year, or factor(subgroup)) to fit a meta-regression.'),
      );
      this.bubble.clear('The bubble plot needs one moderator.');
      return;
    }
    if (t === null || cur.fit === null) {
      this.status.textContent = STALE;
      this.out.replaceChildren();
      this.bubble.clear(STALE);
      return;
    }
    let options;
    let predictAt: number[][] | undefined;
    try {
      options = resolveAnalysisOptions(single(cur.request), { ...cur.context, table: t });
      predictAt = v.predict !== '' ? parsePoints(v.predict) : undefined;
    } catch (e) {
      this.status.textContent = messageOf(e);
      return;
    }
    const perm = v.perm.trim() !== '' ? Number(v.perm) : undefined;
    this.status.textContent = perm ? 'Running the permutation test…' : '';
    this.progress.hidden = perm === undefined;
    this.cancel.hidden = perm === undefined;
    this.progress.value = 0;
    try {
      const r = await this.worker.run<{ summary: RegressionSummary; rows: number[] }>(
        {
          kind: 'regression',
          table: t,
          formula: v.mods,
          options: {
            ...options,
            ...(predictAt ? { predictAt } : {}),
            ...(perm !== undefined
              ? { permutation: { exact: 'auto', iterations: perm, seed: Number(v.pseed) || 1 } }
              : {}),
          },
        },
        (d, n) => {
          this.progress.max = n;
          this.progress.value = d;
          this.status.textContent = `Permutations: ${d.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`;
        },
      );
      if (token !== this.token) return;
      this.status.textContent = '';
      this.show(r.summary);
    } catch (e) {
      if (e instanceof Cancelled) {
        if (token === this.token) this.status.textContent = 'Cancelled.';
        return;
      }
      this.status.textContent = messageOf(e);
      this.out.replaceChildren();
      this.bubble.clear(messageOf(e));
      return;
    } finally {
      if (token === this.token) {
        this.progress.hidden = true;
        this.cancel.hidden = true;
      }
    }
    const req = plotRequest(cur, this.model);
    if (req)
      try {
        const spec = await plotSpec('bubble', { ...req, analysis: single(req.analysis), mods: v.mods });
        if (token === this.token)
          await this.bubble.render(
            spec,
            `Bubble plot: effect against ${v.mods}, bubbles sized by weight, with CI and prediction bands`,
          );
      } catch (e) {
        this.bubble.clear(`No bubble plot: ${messageOf(e)}`);
      }
  }

  private show(s: RegressionSummary): void {
    const test = s.test === 'knha' ? 't' : 'z';
    const coef = dataTable(
      `Meta-regression: ${s.formula} (k = ${s.k}; ${s.method}; ${s.level}% CI)`,
      ['Coefficient', 'Estimate', 'SE', test, 'p', 'CI lower', 'CI upper', ...(s.permutation ? ['Permutation p'] : [])],
      s.coefficients.map((c, i) => [
        c.name,
        num(c.estimate),
        num(c.se),
        num(c.statistic),
        pval(c.pValue),
        num(c.ciLower),
        num(c.ciUpper),
        ...(s.permutation ? [pval(s.permutation.pValues[i])] : []),
      ]),
      { numeric: [1, 2, 3, 4, 5, 6, 7], testid: 'coef-table' },
    );
    coef.id = this.tableId;
    const lines = [
      `Test of moderators: QM = ${num(s.QM, 2)}, df = ${s.QMdf[0]}${s.QMdf[1] !== null ? `, ${s.QMdf[1]}` : ''}, ${pval(s.QMp)}${s.permutation ? `; permutation ${pval(s.permutation.QMp)} (${s.permutation.exact ? 'exact' : `${s.permutation.permutations.toLocaleString('en-US')} random permutations, seed ${s.permutation.seed ?? ''}`})` : ''}`,
      `Residual heterogeneity: τ² = ${num(s.tau2)}${s.tau2CI ? ` (CI ${num(s.tau2CI[0])} to ${num(s.tau2CI[1])})` : ''}, I² = ${pct(s.I2, 2)}, QE = ${num(s.QE, 2)}, df = ${s.QEdf}, ${pval(s.QEp)}`,
      ...(s.R2 !== null ? [`R² (heterogeneity accounted for) = ${pct(s.R2, 2)}`] : []),
    ];
    const parts: HTMLElement[] = [
      scroller(coef, 'Coefficients'),
      ...lines.map((l) => h('p', { 'data-testid': 'regression-line' }, l)),
    ];
    if (s.predictions.length > 0)
      parts.push(
        scroller(
          dataTable(
            'Predictions',
            ['At', 'Predicted', 'SE', 'CI', 'PI'],
            s.predictions.map((p) => [
              p.at.join(', '),
              num(p.pred),
              num(p.se),
              `${num(p.ciLower)} to ${num(p.ciUpper)}`,
              p.piLower !== null ? `${num(p.piLower)} to ${num(p.piUpper)}` : '—',
            ]),
            { numeric: [1, 2, 3, 4] },
          ),
          'Predictions',
        ),
      );
    if (s.excluded.length > 0)
      parts.push(
        h(
          'p',
          { class: 'warn' },
          `Left out: ${s.excluded.map((x) => `${x.label} (row ${x.row}: ${x.reason})`).join('; ')}`,
        ),
      );
    for (const w of s.warnings) parts.push(h('p', { class: 'warn' }, w));
    this.out.replaceChildren(section('Results', ...parts));
  }
}
