/**
 * The Analysis tab: the pooled result (back-transformed for ratio measures, the log value beside it), the
 * subgroup analysis with both tests for subgroup differences, the forest plot (redrawn within a frame from
 * the engine's forest layout), the studies with their switches, and the downloads.
 */
import {
  forestLayout,
  forestPlotInput,
  measureSpec,
  overallOf,
  plotSpec,
  summarize,
  summarizeSubgroups,
  type FitSummary,
  type Measure,
  type PlotRequest,
  type SubgroupSummary,
} from 'evsynth';
import { dataTable, download, facts, h, messageOf, scroller } from '../dom.ts';
import { paintForest } from '../forest-painter.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { downloadSpec, PlotView } from '../plot-view.ts';
import { ci, ciRaw, csvNumber, num, pct, pval, scaleOf } from '../show.ts';
import { formatCsv } from 'evsynth';

/** The plot request of the current inputs (what the registry's forest plot and the downloads are built from). */
export function plotRequest(cur: Current, model: Model, width?: number): PlotRequest | null {
  if (cur.table === null) return null;
  const v = model.values;
  const fav: [string, string] | undefined =
    v.fl !== '' || v.fr !== '' ? [v.fl || 'Favours experimental', v.fr || 'Favours control'] : undefined;
  return {
    table: cur.table,
    analysis: cur.request,
    context: cur.context,
    ...(fav ? { favours: fav } : {}),
    ...(v.title !== '' ? { title: v.title } : {}),
    sort: v.sort as 'input' | 'effect' | 'weight' | 'year',
    ...(width !== undefined ? { width } : {}),
  };
}

interface StudyRow {
  readonly tr: HTMLTableRowElement;
  readonly box: HTMLInputElement;
  readonly effect: HTMLTableCellElement;
  readonly weight: HTMLTableCellElement;
  readonly group: HTMLTableCellElement | null;
}

export class AnalysisPanel implements Panel {
  readonly id = 'analysis';
  readonly title = 'Analysis';
  readonly root = h('section', { 'aria-label': 'Analysis' });
  private readonly headline = h('div', { class: 'headline', 'data-testid': 'summary' });
  private readonly subgroups = h('div', { class: 'subgroups', 'data-testid': 'subgroups' });
  private readonly plotBox = h('div', {
    class: 'plot-scroll forest-box',
    'data-testid': 'plot',
    tabindex: '0',
    'aria-label': 'Forest plot (scrolls)',
  });
  private readonly studiesBody = h('tbody');
  private readonly studiesHead = h('thead');
  private readonly studiesNote = h('p', { class: 'hint', id: 'studies-note' });
  private readonly labbeBox = h('div', { class: 'plot-scroll' });
  private readonly labbe = new PlotView(this.labbeBox, "L'Abbé plot");
  private readonly labbeDetails = h(
    'details',
    { class: 'more' },
    h('summary', {}, "L'Abbé plot (2×2 data)"),
    this.labbeBox,
  );
  private rows: StudyRow[] = [];
  private rowsKey = '';
  private lastSummary: FitSummary | SubgroupSummary | null = null;
  private stale = false;

  constructor(private readonly model: Model) {
    const studiesTable = h(
      'table',
      { class: 'studies', 'data-testid': 'study-list', id: 'studies-table' },
      h('caption', {}, 'Studies: switch one off and everything refits'),
      this.studiesHead,
      this.studiesBody,
    );
    const allOn = h('button', { type: 'button' }, 'Switch all on');
    const allOff = h('button', { type: 'button' }, 'Switch all off');
    allOn.addEventListener('click', () => model.setAllOn(true));
    allOff.addEventListener('click', () => model.setAllOn(false));
    const dl = (label: string, f: () => void | Promise<void>) => {
      const b = h('button', { type: 'button' }, label);
      b.addEventListener('click', () => void f());
      return b;
    };
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Downloads' },
      h('span', { class: 'toolbar-label' }, 'Download'),
      dl('Forest plot SVG', () => this.downloadPlot('svg')),
      dl('Forest plot PNG', () => this.downloadPlot('png')),
      dl('Studies CSV', () => this.downloadCsv()),
      dl('Results JSON', () => this.downloadJson()),
    );
    this.labbeDetails.addEventListener('toggle', () => {
      if (this.labbeDetails.open) void this.drawLabbe();
    });
    this.root.append(
      this.headline,
      toolbar,
      h(
        'div',
        { class: 'analysis-grid' },
        h('div', { class: 'plot-panel' }, h('h3', { class: 'visually-hidden' }, 'Forest plot'), this.plotBox),
        h(
          'div',
          { class: 'studies-panel' },
          h('div', { class: 'toolbar' }, allOn, allOff),
          this.studiesNote,
          h(
            'div',
            { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Studies table' },
            studiesTable,
          ),
        ),
      ),
      this.subgroups,
      this.labbeDetails,
    );
  }

  /** Milliseconds of the last update's steps (documented in docs/performance.md). */
  readonly steps: Record<string, number> = {};

  update(cur: Current): void {
    const fit = cur.fit;
    let t = performance.now();
    const step = (name: string) => {
      const now = performance.now();
      this.steps[name] = now - t;
      t = now;
    };
    this.updateStudies(cur);
    step('studies table');
    this.stale = fit === null;
    this.root.classList.toggle('is-stale', fit === null);
    if (fit === null) {
      this.headline.replaceChildren(h('p', { class: 'stale-note', 'data-testid': 'stale' }, STALE));
      this.subgroups.replaceChildren();
      this.plotBox.classList.add('stale');
      this.plotBox.setAttribute('inert', '');
      this.plotBox.setAttribute('aria-hidden', 'true');
      this.lastSummary = null;
      return;
    }
    this.plotBox.classList.remove('stale');
    this.plotBox.removeAttribute('inert');
    this.plotBox.removeAttribute('aria-hidden');
    const a = overallOf(fit.result);
    const s = summarize(a);
    const sub = fit.result.kind === 'subgroups' ? summarizeSubgroups(fit.result.analysis) : null;
    this.lastSummary = sub ?? s;
    step('summaries');
    this.showHeadline(s);
    this.showSubgroups(sub, s.measure);
    step('headline');
    // the forest plot, from the registry's forest rows and the engine's layout
    const req = plotRequest(cur, this.model, this.plotWidth());
    if (req) {
      try {
        const input = forestPlotInput(req, fit);
        step('forest rows');
        const layout = forestLayout(input, { width: req.width ?? 900 });
        step('forest layout');
        const svg = paintForest(
          layout,
          `Forest plot: ${s.measure}, ${s.k} studies, pooled estimate ${ci(scaleOf(s.measure), s.estimate, s.ciLower, s.ciUpper)}`,
          'studies-table',
        );
        this.plotBox.replaceChildren(svg);
        step('forest paint');
      } catch (e) {
        this.plotBox.replaceChildren(
          h('p', { class: 'error-inline' }, `The forest plot could not be drawn: ${messageOf(e)}`),
        );
      }
    }
    const family = measureSpec(fit.options.measure as Measure).family;
    this.labbeDetails.hidden = family !== 'two-by-two';
    if (this.labbeDetails.open) void this.drawLabbe();
  }

  private plotWidth(): number {
    const w = this.plotBox.clientWidth;
    return Math.max(560, Math.min(1400, (w > 0 ? w : 900) - 8));
  }

  private showHeadline(s: FitSummary): void {
    const sc = scaleOf(s.measure);
    const model =
      s.model === 'random'
        ? `Random effects (${s.method})`
        : s.model === 'common'
          ? `Common effect (${s.method})`
          : s.model === 'mantel-haenszel'
            ? 'Mantel–Haenszel (common effect)'
            : 'Peto (common effect)';
    const shownEst = s.estimate === null ? null : sc.shown(s.estimate);
    const stat = s.df !== null ? `t(${s.df}) = ${num(s.statistic, 2)}` : `z = ${num(s.statistic, 2)}`;
    const parts: HTMLElement[] = [
      h(
        'p',
        { class: 'model-line', 'data-testid': 'model-line' },
        `${model} · ${sc.label} · k = ${s.k} · ${s.test === 'knha' ? 'Knapp–Hartung' : s.test} test`,
      ),
      h(
        'p',
        { class: 'estimate-line' },
        h('span', { class: 'est-label' }, `${sc.label}: `),
        h('strong', { 'data-testid': 'estimate', class: 'est' }, num(shownEst)),
        ' ',
        h(
          'span',
          { 'data-testid': 'ci' },
          `(${s.level}% CI ${num(s.ciLower === null ? null : sc.shown(s.ciLower))} to ${num(s.ciUpper === null ? null : sc.shown(s.ciUpper))})`,
        ),
        ' ',
        h('span', { class: 'muted' }, `${stat}, ${pval(s.pValue)}`),
      ),
    ];
    if (sc.transformed)
      parts.push(
        h(
          'details',
          { class: 'log-scale' },
          h('summary', {}, `On the analysis scale (${sc.analysisLabel})`),
          h(
            'p',
            {},
            h('span', { 'data-testid': 'log-estimate' }, num(s.estimate)),
            ` (${s.level}% CI ${num(s.ciLower)} to ${num(s.ciUpper)}); SE ${num(s.se)}`,
          ),
        ),
      );
    const items: [string, string, string?][] = [];
    if (s.piLower !== null)
      items.push([
        `Prediction interval (${s.piType === 'riley' ? 'Riley' : 'metafor'})`,
        `${num(sc.shown(s.piLower))} to ${num(s.piUpper === null ? null : sc.shown(s.piUpper))}`,
        'pi',
      ]);
    if (s.model === 'random')
      items.push(['τ²', `${num(s.tau2)}${s.tau2CI ? ` (CI ${num(s.tau2CI[0])} to ${num(s.tau2CI[1])})` : ''}`, 'tau2']);
    items.push(['I²', `${pct(s.I2, 2)}${s.I2CI ? ` (CI ${pct(s.I2CI[0])} to ${pct(s.I2CI[1])})` : ''}`, 'i2']);
    items.push(['Q', `${num(s.Q, 2)}, df = ${s.QDf ?? 'NA'}, ${pval(s.QPValue)}`, 'q']);
    parts.push(facts(items));
    if (s.excluded.length > 0)
      parts.push(
        h(
          'p',
          { class: 'warn' },
          `Not estimable, left out: ${s.excluded.map((x) => `${x.label} (row ${x.row}: ${x.reason})`).join('; ')}`,
        ),
      );
    for (const w of s.warnings) parts.push(h('p', { class: 'warn' }, w));
    this.headline.replaceChildren(...parts);
  }

  private showSubgroups(sub: SubgroupSummary | null, measure: string): void {
    if (sub === null) {
      this.subgroups.replaceChildren();
      return;
    }
    const sc = scaleOf(measure);
    const rows = sub.subgroups.map((g) => [
      g.level,
      String(g.k),
      ci(sc, g.estimate, g.ciLower, g.ciUpper),
      g.tau2 === null ? '—' : num(g.tau2),
      g.I2 === null ? '—' : pct(g.I2),
    ]);
    const parts: HTMLElement[] = [
      h('h3', {}, `Subgroups by '${sub.column}'`),
      scroller(
        dataTable(null, ['Subgroup', 'k', `${sc.label} (${sub.overall.level}% CI)`, 'τ²', 'I²'], rows, {
          numeric: [1, 2, 3, 4],
          testid: 'subgroup-table',
        }),
        'Subgroup results',
      ),
    ];
    const t = sub.subgroupTest;
    if (t)
      parts.push(
        h(
          'p',
          { 'data-testid': 'subgroup-test' },
          `Test for subgroup differences (separate τ² per subgroup, as RevMan): Q = ${num(t.Q, 2)}, df = ${t.df}, ${pval(t.pValue)}, I² = ${pct(t.I2)}`,
        ),
      );
    const m = sub.moderatorTest;
    if (m)
      parts.push(
        h(
          'p',
          { 'data-testid': 'moderator-test' },
          `Moderator test with a common τ² (as metafor, mods = ~ factor(${sub.column})): QM = ${num(m.QM, 2)}, df = ${m.df[0]}${m.df[1] !== null ? `, ${m.df[1]}` : ''}, ${pval(m.pValue)}; τ² = ${num(m.tau2)}${m.R2 !== null ? `, R² = ${pct(m.R2)}` : ''}`,
        ),
      );
    if (sub.missingGroup.length > 0)
      parts.push(
        h(
          'p',
          { class: 'warn' },
          `No value in '${sub.column}' (${sub.missingRule === 'exclude' ? 'left out of every analysis' : 'kept in the overall analysis only'}): ${sub.missingGroup.map((x) => `${x.label} (row ${x.row})`).join('; ')}`,
        ),
      );
    for (const w of sub.warnings) parts.push(h('p', { class: 'warn' }, w));
    this.subgroups.replaceChildren(...parts);
  }

  /** The studies table: rebuilt when the rows or columns change, otherwise only its numbers are updated. */
  private updateStudies(cur: Current): void {
    const work = cur.work;
    if (work === null) {
      this.studiesBody.replaceChildren();
      this.rows = [];
      this.rowsKey = '';
      return;
    }
    const by = this.model.values.by;
    const labels = labelsOf(work);
    const groupCol = by !== '' ? work.header.indexOf(by) : -1;
    const key = `${cur.source.name}|${work.rows.length}|${groupCol}|${labels.join('\u0001')}`;
    if (key !== this.rowsKey) {
      this.rowsKey = key;
      this.studiesHead.replaceChildren(
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'On'),
          h('th', { scope: 'col' }, 'Study'),
          groupCol >= 0 ? h('th', { scope: 'col' }, by) : null,
          h('th', { scope: 'col', class: 'num' }, 'Effect (CI)'),
          h('th', { scope: 'col', class: 'num' }, 'Weight'),
        ),
      );
      this.rows = labels.map((label, i) => {
        const box = h('input', {
          type: 'checkbox',
          'data-row': i,
          'data-testid': `toggle-${i}`,
          'aria-label': `Include ${label}`,
        });
        box.addEventListener('change', () => this.model.toggle(i, box.checked));
        const effect = h('td', { class: 'num' });
        const weight = h('td', { class: 'num' });
        const group = groupCol >= 0 ? h('td', {}, work.rows[i]?.[groupCol] ?? '') : null;
        const tr = h('tr', {}, h('td', {}, box), h('th', { scope: 'row' }, label), group, effect, weight);
        return { tr, box, effect, weight, group };
      });
      this.studiesBody.replaceChildren(...this.rows.map((r) => r.tr));
    }
    const fit = cur.fit;
    const s = fit ? summarize(overallOf(fit.result)) : null;
    const sc = s ? scaleOf(s.measure) : null;
    const info = new Map<number, { effect: string; weight: string }>();
    const reasons = new Map<number, string>();
    if (s && sc) {
      for (const st of s.studies) {
        const row = cur.rows[st.row - 1];
        if (row !== undefined)
          info.set(row, { effect: ci(sc, st.yi, st.ciLower, st.ciUpper, 2), weight: pct(st.weight) });
      }
      for (const x of s.excluded) {
        const row = cur.rows[x.row - 1];
        if (row !== undefined) reasons.set(row, `not estimable: ${x.reason}`);
      }
    }
    this.rows.forEach((r, i) => {
      const on = !this.model.off.has(i);
      r.box.checked = on;
      const inf = info.get(i);
      r.effect.textContent = inf
        ? inf.effect
        : !on
          ? 'switched off'
          : (reasons.get(i) ?? (fit ? 'not in the analysis' : '—'));
      r.weight.textContent = inf ? inf.weight : '';
      r.tr.classList.toggle('off', !on);
    });
    const offCount = this.model.off.size;
    this.studiesNote.textContent = `${work.rows.length - offCount} of ${work.rows.length} studies switched on.`;
  }

  private async drawLabbe(): Promise<void> {
    const cur = this.model.current();
    const req = plotRequest(cur, this.model);
    if (!req || cur.fit === null) {
      this.labbe.clear(STALE);
      return;
    }
    try {
      await this.labbe.render(
        await plotSpec('labbe', req),
        "L'Abbé plot: event rate in the experimental arm against the control arm",
      );
    } catch (e) {
      this.labbe.clear(messageOf(e));
    }
  }

  private async downloadPlot(format: 'svg' | 'png'): Promise<void> {
    const cur = this.model.current();
    const req = plotRequest(cur, this.model, this.plotWidth());
    if (!req || cur.fit === null || this.stale) return;
    await downloadSpec(await plotSpec('forest', req), `${baseName(cur.source.name)}-forest`, format);
  }

  /** Every study of the working table: its inclusion, reason, subgroup, effect, CI and weight. */
  studiesCsv(): string | null {
    const cur = this.model.current();
    const work = cur.work;
    if (work === null) return null;
    const fit = cur.fit;
    const labels = labelsOf(work);
    const by = this.model.values.by;
    const g = by !== '' ? work.header.indexOf(by) : -1;
    const s = fit ? summarize(overallOf(fit.result)) : null;
    const ratio = s !== null && s.exponentiated !== null && s.exponentiated !== undefined;
    const byRow = new Map<number, FitSummary['studies'][number]>();
    const reasons = new Map<number, string>();
    const withinWeight = new Map<number, number>();
    if (s) {
      for (const st of s.studies) byRow.set(cur.rows[st.row - 1] as number, st);
      for (const x of s.excluded) reasons.set(cur.rows[x.row - 1] as number, `not estimable: ${x.reason}`);
    }
    if (fit?.result.kind === 'subgroups') {
      for (const l of fit.result.analysis.levels) {
        const ls = summarize(l.analysis);
        for (const st of ls.studies) withinWeight.set(cur.rows[st.row - 1] as number, st.weight);
      }
      for (const x of fit.result.analysis.missingGroup) reasons.set(cur.rows[x.row] as number, x.reason);
    }
    const header = [
      'study',
      'row',
      'included',
      'reason',
      ...(g >= 0 ? ['subgroup'] : []),
      'yi',
      'vi',
      'sei',
      'ci_lb',
      'ci_ub',
      'weight',
      ...(g >= 0 ? ['weight_in_subgroup'] : []),
      ...(ratio ? ['exp_yi', 'exp_ci_lb', 'exp_ci_ub'] : []),
    ];
    const rows = labels.map((label, i) => {
      const st = byRow.get(i);
      const off = this.model.off.has(i);
      const reason = off
        ? 'switched off'
        : (reasons.get(i) ?? (st ? '' : fit ? 'not in the analysis' : 'not analysed'));
      const x = (v: number | undefined) => (v === undefined ? 'NA' : csvNumber(v));
      return [
        label,
        i + 1,
        st ? 'yes' : 'no',
        reason,
        ...(g >= 0 ? [work.rows[i]?.[g] ?? ''] : []),
        x(st?.yi),
        x(st?.vi),
        x(st?.sei),
        x(st?.ciLower),
        x(st?.ciUpper),
        x(st?.weight),
        ...(g >= 0 ? [x(withinWeight.get(i))] : []),
        ...(ratio
          ? [
              x(st ? Math.exp(st.yi) : undefined),
              x(st ? Math.exp(st.ciLower) : undefined),
              x(st ? Math.exp(st.ciUpper) : undefined),
            ]
          : []),
      ];
    });
    return formatCsv(header, rows);
  }

  private downloadCsv(): void {
    const csv = this.studiesCsv();
    if (csv !== null) download(`${baseName(this.model.source.name)}-studies.csv`, csv, 'text/csv');
  }

  private downloadJson(): void {
    const cur = this.model.current();
    const json = {
      source: cur.source.name,
      request: cur.request,
      switchedOff: [...this.model.off]
        .sort((a, b) => a - b)
        .map((i) => ({ row: i + 1, study: labelsOf(cur.work ?? cur.source.table)[i] })),
      error: cur.error,
      result: this.lastSummary,
    };
    download(
      `${baseName(cur.source.name)}-analysis.json`,
      JSON.stringify(json, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
      'application/json',
    );
  }
}

export const baseName = (name: string) => name.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '-');

import { studyLabels, type DataTable } from 'evsynth';
const labelsOf = (t: DataTable) => studyLabels(t);

void ciRaw;
