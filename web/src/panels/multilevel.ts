/**
 * The Multilevel tab (the CLI's fit/regress with --random, --struct, --V, --robust): dependent effect sizes
 * in multilevel and multivariate models (metafor rma.mv) with profile-likelihood CIs of the variance
 * components, shared-arm covariances and cluster-robust inference, fitted in the worker.
 */
import {
  MV_DFS,
  ROBUST_TYPES,
  STRUCTS,
  multilevelContext,
  type MultilevelContext,
  type MultilevelRequest,
  type MultilevelSummary,
  type MvDfs,
  type RobustType,
} from 'evsynth';
import { dataTable, fillSelect, h, messageOf, scroller } from '../dom.ts';
import type { Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { STALE } from '../panel.ts';
import { num, pct, pval } from '../show.ts';
import type { Key } from '../settings.ts';
import { Cancelled, WorkerClient } from '../worker-client.ts';
import { note, section, single } from './common.ts';

export class MultilevelPanel implements Panel {
  readonly id = 'multilevel';
  readonly title = 'Multilevel';
  readonly root = h('section', { 'aria-label': 'Multilevel and multivariate models' });
  private readonly out = h('div', { 'data-testid': 'multilevel-results' });
  private readonly status = h('div', { class: 'error-inline', role: 'status', 'data-testid': 'multilevel-error' });
  private readonly controls: [Key, HTMLInputElement | HTMLSelectElement][] = [];
  private readonly robust = h('select', { id: 'opt-robust' });
  private readonly worker = new WorkerClient();
  private token = 0;

  constructor(private readonly model: Model) {
    const bind = (el: HTMLInputElement | HTMLSelectElement, key: Key, label: string, hint?: string) => {
      el.id = `opt-${key}`;
      el.addEventListener('change', () =>
        model.set(
          {
            [key]: el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? '1' : '') : el.value.trim(),
          },
          'options',
        ),
      );
      this.controls.push([key, el]);
      const hid = hint ? `${el.id}-hint` : undefined;
      if (hid) el.setAttribute('aria-describedby', hid);
      return el instanceof HTMLInputElement && el.type === 'checkbox'
        ? h('div', { class: 'field check' }, el, h('label', { for: el.id }, label))
        : h(
            'div',
            { class: 'field' },
            h('label', { for: el.id }, label),
            el,
            hint ? h('p', { class: 'hint', id: hid }, hint) : null,
          );
    };
    const select = (choices: readonly (readonly [string, string])[]) =>
      h('select', {}, ...choices.map(([v, l]) => h('option', { value: v }, l)));
    this.root.append(
      section(
        'Model',
        bind(
          h('input', { type: 'text', placeholder: '~ 1 | study/.row', 'data-testid': 'random' }),
          'random',
          'Random effects (metafor notation; several terms separated by ;)',
          'e.g. "~ 1 | study/.row" (rows nested in studies; .row numbers the rows), "~ 1 | a; ~ 1 | b" (crossed), "~ outcome | study" with a structure',
        ),
        bind(
          select([['', 'Default: CS'], ...STRUCTS.map((s): [string, string] => [s, s])]),
          'struct',
          'Structure of an "~ inner | outer" term',
        ),
        bind(
          h('input', { type: 'text', placeholder: 'shared:shared_arm' }),
          'V',
          'Sampling covariances (V)',
          'shared:<column>[:split|:repeated], split:<column>, cor:<cluster>:<r>; "shared" alone: the dataset\'s declared shared arms',
        ),
        bind(h('input', { type: 'text', placeholder: 'dose' }), 'mvmods', 'Moderators (optional; R formula)'),
        bind(this.robust, 'robust', 'Cluster-robust inference, clustered on'),
        bind(
          select(
            ROBUST_TYPES.map((t): [string, string] => [t, t === 'CR2' ? 'CR2 (clubSandwich, Satterthwaite df)' : t]),
          ),
          'vcov',
          'Robust estimator',
        ),
        bind(
          select([
            ['z', 'z'],
            ['t', 't'],
          ]),
          'mvtest',
          'Tests',
        ),
        bind(
          select([['', 'Default: residual'], ...MV_DFS.map((d): [string, string] => [d, d])]),
          'dfs',
          'Degrees of freedom of t tests',
        ),
        bind(h('input', { type: 'checkbox' }), 'profile', 'Profile-likelihood CIs of the variance components'),
      ),
      this.status,
      this.out,
    );
  }

  async update(cur: Current): Promise<void> {
    const token = ++this.token;
    const t = cur.table;
    fillSelect(this.robust, [['', 'none'], ...(t ? t.header.map((c): [string, string] => [c, c]) : [])]);
    for (const [k, el] of this.controls) {
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = this.model.values[k] === '1';
      else el.value = this.model.values[k];
    }
    const v = this.model.values;
    if (v.random === '' && v.V === '' && v.robust === '') {
      this.status.textContent = '';
      this.out.replaceChildren(
        note(
          'Give random effects (for example ~ 1 | study/.row), sampling covariances (V) or a cluster for robust inference to fit a model for dependent effect sizes.',
        ),
      );
      return;
    }
    if (t === null || cur.fit === null) {
      this.status.textContent = STALE;
      this.out.replaceChildren();
      return;
    }
    this.status.textContent = 'Fitting…';
    try {
      const s = await this.worker.run<MultilevelSummary>({ kind: 'multilevel', table: t, ...this.job(cur) });
      if (token !== this.token) return;
      this.status.textContent = '';
      this.show(s);
    } catch (e) {
      if (e instanceof Cancelled) return;
      this.status.textContent = messageOf(e);
      this.out.replaceChildren();
    }
  }

  /**
   * The tab's settings as a request, as the CLI builds one from its flags, and the dataset's context (measure,
   * name, declared shared arms): the worker fits it with multilevelTable, as `evsynth fit --random/--V/--robust`.
   */
  private job(cur: Current): { request: MultilevelRequest; context: MultilevelContext } {
    const v = this.model.values;
    const { table: _table, ...context } = multilevelContext(cur.context, cur.source.bundled);
    const list = (text: string, sep: string) =>
      text
        .split(sep)
        .map((x) => x.trim())
        .filter((x) => x !== '');
    return {
      request: {
        ...single(cur.request),
        test: v.mvtest,
        ...(v.dfs !== '' ? { dfs: v.dfs as MvDfs } : {}),
        ...(v.random !== '' ? { random: list(v.random, ';') } : {}),
        ...(v.struct !== '' ? { struct: list(v.struct, ',') } : {}),
        ...(v.mvmods !== '' ? { mods: v.mvmods } : {}),
        ...(v.V !== '' ? { V: v.V } : {}),
        ...(v.robust !== '' ? { robust: { cluster: v.robust, type: v.vcov as RobustType } } : {}),
        profile: v.profile === '1',
      },
      context,
    };
  }

  private show(s: MultilevelSummary): void {
    const comps = [...s.sigma2, ...s.tau2, ...s.rho, ...s.gamma2, ...s.phi];
    const parts: HTMLElement[] = [
      h(
        'p',
        {},
        `${s.model === 'rma.mv' ? 'Multilevel/multivariate model (rma.mv)' : 'One τ² (rma.uni)'}: k = ${s.k}, ${s.measure}, ${s.method}, ${s.test} tests${s.dfs ? ` (${s.dfs} df)` : ''}; ${s.V.description}.`,
      ),
    ];
    if (comps.length > 0)
      parts.push(
        scroller(
          dataTable(
            'Variance components',
            ['Component', 'Estimate', '√', 'Levels', 'Profile CI', ''],
            comps.map((c) => [
              c.name,
              num(c.estimate),
              c.sqrt === null ? '' : num(c.sqrt),
              c.factor !== null
                ? `${c.factor} (${c.nLevels ?? ''})`
                : c.innerLevel !== null
                  ? `${c.innerLevel} (${c.kLevel ?? ''})`
                  : c.pair
                    ? `${c.pair.join(', ')} (${c.nPair ?? ''})`
                    : '',
              c.ciLower !== null ? `${num(c.ciLower)} to ${num(c.ciUpper)}` : '—',
              c.fixed ? 'fixed' : '',
            ]),
            { numeric: [1, 2, 4], testid: 'mv-components' },
          ),
          'Variance components',
        ),
      );
    const coefTable = (title: string, cs: MultilevelSummary['coefficients'], testid: string) =>
      scroller(
        dataTable(
          title,
          ['Coefficient', 'Estimate', 'SE', 'Statistic', 'df', 'p', 'CI lower', 'CI upper'],
          cs.map((c) => [
            c.name,
            num(c.estimate),
            num(c.se),
            num(c.statistic),
            c.df === null ? '' : num(c.df, 2),
            pval(c.pValue),
            num(c.ciLower),
            num(c.ciUpper),
          ]),
          { numeric: [1, 2, 3, 4, 5, 6, 7], testid },
        ),
        title,
      );
    parts.push(coefTable(`Coefficients (${s.level}% CI)`, s.coefficients, 'mv-coefficients'));
    if (s.robust)
      parts.push(
        coefTable(
          `Cluster-robust (${s.robust.type}, ${s.robust.clusters} clusters of '${s.robust.cluster}')`,
          s.robust.coefficients,
          'mv-robust',
        ),
        h(
          'p',
          {},
          `Robust test of moderators: QM = ${num(s.robust.QM, 2)}, df = ${s.robust.QMdf.join(', ')}, ${pval(s.robust.QMp)}`,
        ),
      );
    parts.push(
      h(
        'p',
        {},
        `Heterogeneity: QE = ${num(s.QE, 2)}, df = ${s.QEdf}, ${pval(s.QEp)}${s.I2 ? `; I² total ${pct(s.I2.total)} (${s.I2.components.map((x) => pct(x)).join(', ')})` : ''}`,
      ),
      h(
        'p',
        {},
        `logLik ${num(s.logLik, 3)}, deviance ${num(s.deviance, 3)}, AIC ${num(s.AIC, 3)}, BIC ${num(s.BIC, 3)}, AICc ${num(s.AICc, 3)}; ${s.converged ? `converged in ${s.iterations} iterations` : 'did not converge'}`,
      ),
    );
    if (s.predictions.length > 0)
      parts.push(
        scroller(
          dataTable(
            'Pooled estimate / predictions',
            ['At', 'Estimate', 'SE', 'CI', 'PI'],
            s.predictions.map((p) => [
              p.at ? p.at.join(', ') : 'intercept',
              num(p.pred),
              num(p.se),
              `${num(p.ciLower)} to ${num(p.ciUpper)}`,
              p.piLower !== null ? `${num(p.piLower)} to ${num(p.piUpper)}` : '—',
            ]),
            { numeric: [1, 2, 3, 4], testid: 'mv-predictions' },
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
