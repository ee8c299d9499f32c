/**
 * The Risk of bias tab: the traffic-light and summary plots (robvis layout, RoB 2 or ROBINS-I columns), the
 * judgements as a table, and the sensitivity analysis restricted to studies at low overall risk of bias (the
 * CLI's --low-risk-only).
 */
import {
  analyzeTable,
  lowRiskRows,
  overallOf,
  plotSpec,
  pooledSummary,
  readRiskOfBias,
  ROB_TOOLS,
  selectRows,
  studyLabels,
  type RiskOfBias,
} from 'evsynth';
import { dataTable, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { PlotView } from '../plot-view.ts';
import { ci, scaleOf } from '../show.ts';
import { plotRequest } from './analysis.ts';
import { newId, note, section, single } from './common.ts';

export class RobPanel implements Panel {
  readonly id = 'rob';
  readonly title = 'Risk of bias';
  readonly root = h('section', { 'aria-label': 'Risk of bias' });
  private readonly tableId = newId('rob-table');
  private readonly traffic = new PlotView(
    h('div', { 'data-testid': 'plot-rob-traffic-light' }),
    'Risk-of-bias traffic-light plot',
    this.tableId,
  );
  private readonly summary = new PlotView(
    h('div', { 'data-testid': 'plot-rob-summary' }),
    'Risk-of-bias summary plot',
    this.tableId,
  );
  private readonly out = h('div', {});
  private readonly unweighted = h('input', { type: 'checkbox', id: 'opt-unweighted' });
  private token = 0;

  constructor(private readonly model: Model) {
    this.unweighted.addEventListener('change', () =>
      model.set({ unweighted: this.unweighted.checked ? '1' : '' }, 'options'),
    );
    this.root.append(
      this.out,
      h(
        'div',
        { class: 'cards' },
        section('Traffic-light plot', this.traffic.container),
        section(
          'Summary plot',
          h(
            'div',
            { class: 'field check' },
            this.unweighted,
            h('label', { for: 'opt-unweighted' }, 'Shares of studies (default: shares of the analysis weight)'),
          ),
          this.summary.container,
        ),
      ),
    );
  }

  async update(cur: Current): Promise<void> {
    const token = ++this.token;
    this.unweighted.checked = this.model.values.unweighted === '1';
    const t = cur.table;
    if (t === null || cur.fit === null) {
      this.out.replaceChildren(note(STALE));
      this.traffic.clear(STALE);
      this.summary.clear(STALE);
      return;
    }
    let rob: RiskOfBias | null;
    try {
      rob = readRiskOfBias(t);
    } catch (e) {
      this.out.replaceChildren(h('p', { class: 'error-inline' }, messageOf(e)));
      return;
    }
    if (rob === null) {
      const cols = Object.values(ROB_TOOLS)
        .map((tool) => `${tool.name}: ${[...tool.domains, tool.overall].map((d) => d.column).join(', ')}`)
        .join('; or ');
      const msg = `This table has no risk-of-bias judgements. Add columns (${cols}) in the Data tab, with values such as low, some concerns, high.`;
      this.out.replaceChildren(note(msg, 'rob-none'));
      this.traffic.clear('No judgements to plot.');
      this.summary.clear('No judgements to plot.');
      return;
    }
    const labels = studyLabels(t);
    const tbl = dataTable(
      `Judgements (${ROB_TOOLS[rob.tool].name})`,
      ['Study', ...rob.columns.map((c) => c.label)],
      labels.map((l, i) => [l, ...rob.columns.map((_, j) => rob.judgements[i]?.[j] ?? 'not assessed')]),
      { testid: 'rob-table' },
    );
    tbl.id = this.tableId;
    const parts: HTMLElement[] = [
      section(
        'Judgements',
        scroller(tbl, 'Risk-of-bias judgements'),
        ...rob.warnings.map((w) => h('p', { class: 'warn' }, w)),
      ),
    ];
    // the low-risk sensitivity analysis
    const { kept, left } = lowRiskRows(rob, labels);
    const request = single(cur.request);
    try {
      const all = pooledSummary(overallOf(analyzeTable(t, request, cur.context).result), t);
      const sc = scaleOf(cur.fit.options.measure);
      const lines = [h('p', {}, `All ${all.k} studies: ${ci(sc, all.estimate, all.ciLower, all.ciUpper)}`)];
      if (kept.length === 0) lines.push(h('p', {}, 'No study is at low overall risk of bias.'));
      else if (left.length > 0) {
        const sub = selectRows(t, kept);
        const low = pooledSummary(overallOf(analyzeTable(sub, request, cur.context).result), sub);
        lines.push(
          h(
            'p',
            { 'data-testid': 'low-risk' },
            `Only the ${low.k} at low overall risk: ${ci(sc, low.estimate, low.ciLower, low.ciUpper)}`,
          ),
          h('p', { class: 'hint' }, `Left out: ${left.map((x) => `${x.label} (${x.reason})`).join('; ')}`),
        );
      } else lines.push(h('p', {}, 'Every study is at low overall risk of bias.'));
      parts.push(section('Sensitivity: studies at low risk of bias only', ...lines));
    } catch (e) {
      parts.push(
        section('Sensitivity: studies at low risk of bias only', h('p', { class: 'error-inline' }, messageOf(e))),
      );
    }
    this.out.replaceChildren(...parts);
    const req = plotRequest(cur, this.model);
    if (!req) return;
    const r = { ...req, analysis: single(req.analysis), unweighted: this.model.values.unweighted === '1' };
    for (const [kind, view, label] of [
      ['rob-traffic-light', this.traffic, 'Risk-of-bias traffic-light plot: one row per study, one circle per domain'],
      ['rob-summary', this.summary, 'Risk-of-bias summary: share at each judgement per domain'],
    ] as const) {
      try {
        const spec = await plotSpec(kind, r);
        if (token === this.token) await view.render(spec, label);
      } catch (e) {
        view.clear(messageOf(e));
      }
    }
  }
}
