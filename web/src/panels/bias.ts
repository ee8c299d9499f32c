/**
 * The Publication bias tab (the CLI's `bias` and funnel plot): the funnel plot (contour-enhanced, with the
 * studies trim and fill adds), Egger's regression test (any predictor, rma or lm), Begg's rank correlation
 * test, trim and fill (L0 or R0, either side) and the fail-safe N (Rosenthal, Orwin, Rosenberg).
 */
import {
  FSN_TYPES,
  REGTEST_PREDICTORS,
  numericColumn,
  plotSpec,
  publicationBias,
  type BiasResults,
  type FsnType,
  type RegtestPredictor,
} from 'evsynth';
import { dataTable, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { PlotView } from '../plot-view.ts';
import { ci, num, pval, scaleOf } from '../show.ts';
import type { Key } from '../settings.ts';
import { plotRequest } from './analysis.ts';
import { newId, note, plainAnalysis, section, single } from './common.ts';

export class BiasPanel implements Panel {
  readonly id = 'bias';
  readonly title = 'Publication bias';
  readonly root = h('section', { 'aria-label': 'Publication bias' });
  private readonly results = h('div', { 'data-testid': 'bias-results' });
  private readonly status = h('div', { class: 'error-inline', 'data-testid': 'bias-error' });
  private readonly tableId = newId('bias-table');
  private readonly funnel = new PlotView(h('div', { 'data-testid': 'plot-funnel' }), 'Funnel plot', this.tableId);
  private readonly controls: [Key, HTMLInputElement | HTMLSelectElement][] = [];
  private token = 0;

  constructor(private readonly model: Model) {
    const sel = (key: Key, label: string, choices: readonly (readonly [string, string])[]) => {
      const el = h('select', { id: `opt-${key}` }, ...choices.map(([v, l]) => h('option', { value: v }, l)));
      el.addEventListener('change', () => model.set({ [key]: el.value }, 'options'));
      this.controls.push([key, el]);
      return h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
    };
    const check = (key: Key, label: string) => {
      const el = h('input', { type: 'checkbox', id: `opt-${key}` });
      el.addEventListener('change', () => model.set({ [key]: el.checked ? '1' : '' }, 'options'));
      this.controls.push([key, el]);
      return h('div', { class: 'field check' }, el, h('label', { for: el.id }, label));
    };
    const target = h('input', { type: 'number', id: 'opt-fsntarget', step: 'any', inputmode: 'decimal' });
    target.addEventListener('change', () => model.set({ fsntarget: target.value }, 'options'));
    this.controls.push(['fsntarget', target]);
    this.root.append(
      h(
        'div',
        { class: 'cards' },
        section(
          'Funnel plot',
          h(
            'div',
            { class: 'toolbar' },
            check('contour', 'Contour-enhanced (significance regions)'),
            check('trimfill', 'Add the studies trim and fill fills in (hollow)'),
          ),
          this.funnel.container,
        ),
        section(
          'Options of the tests',
          sel(
            'egger',
            "Egger's test: predictor",
            REGTEST_PREDICTORS.map((p) => [p, p === 'sei' ? 'sei (standard error; Egger)' : p]),
          ),
          sel('emodel', "Egger's test: model", [
            ['rma', "rma: the same model plus the predictor (metafor's default)"],
            ['lm', 'lm: weighted regression (classical Egger)'],
          ]),
          sel('tfest', 'Trim and fill: estimator', [
            ['L0', 'L0'],
            ['R0', 'R0'],
          ]),
          sel('tfside', 'Trim and fill: side of the missing studies', [
            ['', 'from the data'],
            ['left', 'left'],
            ['right', 'right'],
          ]),
          sel(
            'fsn',
            'Fail-safe N: type',
            FSN_TYPES.map((t) => [t, t]),
          ),
          h(
            'div',
            { class: 'field' },
            h('label', { for: target.id }, 'Fail-safe N: target effect (Orwin; default half the mean effect)'),
            target,
          ),
        ),
      ),
      this.status,
      this.results,
    );
  }

  async update(cur: Current): Promise<void> {
    const token = ++this.token;
    for (const [k, el] of this.controls) {
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = this.model.values[k] === '1';
      else el.value = this.model.values[k];
    }
    const pa = plainAnalysis(cur);
    if ('error' in pa) {
      this.status.textContent = cur.fit === null ? STALE : pa.error;
      this.results.replaceChildren();
      this.funnel.clear(cur.fit === null ? STALE : pa.error);
      return;
    }
    this.status.textContent = '';
    const { a, table } = pa;
    const v = this.model.values;
    const predictor = v.egger as RegtestPredictor;
    let ni: Float64Array | undefined;
    let b: BiasResults;
    try {
      if (['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(predictor)) {
        const n1 = numericColumn(table, 'n1i'),
          n2 = numericColumn(table, 'n2i');
        ni = Float64Array.from(
          a.studies.rows,
          (r) => (n1[a.inputRows[r] as number] as number) + (n2[a.inputRows[r] as number] as number),
        );
      }
      b = publicationBias(a, {
        egger: { model: v.emodel as 'rma' | 'lm', predictor, ...(ni ? { ni } : {}) },
        begg: true,
        trimfill: { estimator: v.tfest as 'L0' | 'R0', ...(v.tfside ? { side: v.tfside as 'left' | 'right' } : {}) },
        failsafe: { type: v.fsn as FsnType, ...(v.fsntarget.trim() !== '' ? { target: Number(v.fsntarget) } : {}) },
      });
    } catch (e) {
      this.status.textContent = messageOf(e);
      this.results.replaceChildren();
      this.funnel.clear(messageOf(e));
      return;
    }
    const sc = scaleOf(a.measure);
    const rows: string[][] = [];
    if (b.egger)
      rows.push([
        `Regression test (${b.egger.model}, predictor ${b.egger.predictor})`,
        `${b.egger.df !== null ? `t(${b.egger.df})` : 'z'} = ${num(b.egger.statistic)}`,
        pval(b.egger.pValue),
        `limit estimate ${ci(sc, b.egger.limit.estimate, b.egger.limit.ciLower, b.egger.limit.ciUpper)}`,
      ]);
    if (b.begg)
      rows.push([
        `Rank correlation test (Begg and Mazumdar)`,
        `Kendall's τ = ${num(b.begg.tau)}`,
        pval(b.begg.pValue),
        b.begg.exact ? 'exact' : 'normal approximation',
      ]);
    if (b.trimfill) {
      const tf = b.trimfill;
      const c = tf.fit.coefficients[0];
      rows.push([
        `Trim and fill (${tf.estimator})`,
        `${tf.k0} missing on the ${tf.side}${tf.seK0 !== null ? ` (SE ${num(tf.seK0, 2)})` : ''}`,
        tf.pK0 !== null ? pval(tf.pK0) : '',
        c ? `adjusted ${ci(sc, c.estimate, c.ciLower, c.ciUpper)}` : '',
      ]);
    }
    if (b.failsafe) {
      const f = b.failsafe;
      rows.push([
        `Fail-safe N (${f.type})`,
        `${num(f.fsn, 0)} studies`,
        f.pValue !== null ? pval(f.pValue) : '',
        f.target !== null ? `target ${num(f.target)}` : '',
      ]);
    }
    const tbl = dataTable(
      'Tests for small-study effects and publication bias',
      ['Test', 'Result', 'p', 'Detail'],
      rows,
      { testid: 'bias-table' },
    );
    tbl.id = this.tableId;
    this.results.replaceChildren(
      section(
        'Results',
        scroller(tbl, 'Publication-bias tests'),
        ...b.skipped.map((s) => note(`${s.test}: not applicable (${s.reason})`)),
        ...b.warnings.map((w) => h('p', { class: 'warn' }, w)),
      ),
    );
    const req = plotRequest(cur, this.model);
    if (req)
      try {
        const spec = await plotSpec('funnel', {
          ...req,
          analysis: single(req.analysis),
          contour: v.contour === '1',
          trimfill: v.trimfill === '1',
        });
        if (token === this.token)
          await this.funnel.render(
            spec,
            `Funnel plot of ${a.studies.yi.length} studies: ${sc.analysisLabel} against standard error`,
          );
      } catch (e) {
        this.funnel.clear(messageOf(e));
      }
  }
}
