/**
 * The model options form: every option of the CLI's `fit` (measure, method, test, level, prediction interval,
 * preset, SMD variant, variance type, zero cells, subgroups) and the forest plot's (sort, favours labels,
 * title). Choices come from the engine's registries; each control writes one setting of the model.
 */
import {
  MEASURES,
  PI_TYPES,
  POOLING_METHODS,
  PRESET_NAMES,
  TESTS,
  ZERO_CELL_RULES,
  hasColumn,
  measureLabel,
  measureSpec,
  measureVtypes,
  measuresForColumns,
  parsePoolingMethod,
  poolingMethodLabel,
  type Measure,
} from 'evsynth';
import { fillSelect, h } from './dom.ts';
import { autoMeasure, type Model } from './model.ts';
import type { Key } from './settings.ts';

type Choice = readonly [string, string];
type Choices = readonly (Choice | { readonly group: string; readonly options: readonly Choice[] })[];

interface Control {
  readonly key: Key;
  readonly el: HTMLInputElement | HTMLSelectElement;
  /** Dynamic choices of a select (recomputed when the data or the options change). */
  readonly choices?: (m: Model) => Choices;
}

const TEST_LABELS: Record<string, string> = {
  z: 'z (Wald)',
  knha: 'Knapp–Hartung (t, F)',
  adhoc: 'Knapp–Hartung, never narrower than z',
};

/** Columns that can define subgroups: those that are not effect-size input or bookkeeping. */
const NOT_GROUPING =
  /^(study|study_id|slab|author|label|yi|vi|sei|ci_lb|ci_ub|[nmst]d?[12]i|sd[12]i|[abcd]i|n[12]i|x[12]i|t[12]i|ri|ni|mi|sdi|pi|xi|ti|r2i|revman_.*|footnote|note|notes|source|year|row_id)$/;

export function groupingColumns(header: readonly string[]): string[] {
  return header.filter((c) => !NOT_GROUPING.test(c) && !/^(rob|robins)_/.test(c));
}

function measureChoices(m: Model): Choices {
  const t = m.work ?? m.source.table;
  const auto = autoMeasure(m.source, m.work);
  const fits = new Set<Measure>(measuresForColumns((c) => hasColumn(t, c)));
  if (hasColumn(t, 'yi')) fits.add('GEN');
  const label = (x: Measure) => `${x} · ${measureLabel(x)}`;
  return [
    ['', auto ? `Automatic: ${label(auto)}` : 'Automatic (none fits the columns)'],
    { group: "Fit this table's columns", options: MEASURES.filter((x) => fits.has(x)).map((x) => [x, label(x)]) },
    { group: 'Other measures', options: MEASURES.filter((x) => !fits.has(x)).map((x) => [x, label(x)]) },
  ];
}

function currentMeasure(m: Model): Measure | null {
  const v = m.values.measure;
  if (v !== '' && (MEASURES as readonly string[]).includes(v)) return v as Measure;
  return autoMeasure(m.source, m.work);
}

function methodChoices(m: Model): Choices {
  const preset = m.values.preset === 'revman5' ? 'DL' : 'REML';
  return [
    ['', `Default: ${preset}`],
    ...POOLING_METHODS.map((x): Choice => [x, `${x} · ${poolingMethodLabel(parsePoolingMethod(x))}`]),
  ];
}

function vtypeChoices(m: Model): Choices {
  const measure = currentMeasure(m);
  const vts = measure ? measureVtypes(measure) : ['LS'];
  return [['', `Default: ${vts[0] ?? 'LS'}`], ...vts.map((v): Choice => [v, v])];
}

function byChoices(m: Model): Choices {
  const t = m.work ?? m.source.table;
  const cols = groupingColumns(t.header);
  const current = m.values.by;
  if (current !== '' && !cols.includes(current)) cols.push(current);
  return [['', 'None'], ...cols.map((c): Choice => [c, c])];
}

function sortChoices(m: Model): Choices {
  const t = m.work ?? m.source.table;
  return [
    ['input', 'As in the data'],
    ['effect', 'By effect'],
    ['weight', 'By weight'],
    ...(hasColumn(t, 'year') ? [['year', 'By year'] as Choice] : []),
  ];
}

/** The form; `onChange` gets the setting that changed. */
export class OptionsForm {
  private controls: Control[] = [];
  readonly root: HTMLElement;

  constructor(
    private readonly model: Model,
    root: HTMLElement,
  ) {
    this.root = root;
    const sel = (key: Key, label: string, choices: Choices | ((m: Model) => Choices), hint?: string) => {
      const el = h('select', { id: `opt-${key}`, 'data-setting': key });
      this.add({ key, el, ...(typeof choices === 'function' ? { choices } : {}) });
      if (typeof choices !== 'function') fillSelect(el, choices);
      return wrap(label, el, hint);
    };
    const input = (key: Key, label: string, type: string, hint?: string, attrs: Record<string, string> = {}) => {
      const el = h('input', { id: `opt-${key}`, type, 'data-setting': key, ...attrs });
      this.add({ key, el });
      return wrap(label, el, hint);
    };
    const check = (key: Key, label: string, hint?: string) => {
      const el = h('input', { id: `opt-${key}`, type: 'checkbox', 'data-setting': key });
      this.add({ key, el });
      const w = h('div', { class: 'field check' }, el, h('label', { for: el.id }, label));
      if (hint) {
        el.setAttribute('aria-describedby', `${el.id}-hint`);
        w.append(h('p', { class: 'hint', id: `${el.id}-hint` }, hint));
      }
      return w;
    };
    const group = (title: string, ...items: HTMLElement[]) =>
      h('fieldset', { class: 'group' }, h('legend', {}, title), ...items);

    root.append(
      group(
        'Model',
        sel('measure', 'Effect measure', measureChoices),
        sel('method', 'Pooling method (τ² estimator, MH or Peto)', methodChoices),
        sel('test', 'Test and CI', [['', 'Default: z'], ...TESTS.map((t): Choice => [t, TEST_LABELS[t] ?? t])]),
        input('level', 'Confidence level (%)', 'number', undefined, {
          min: '50',
          max: '99.9',
          step: 'any',
          inputmode: 'decimal',
        }),
        sel(
          'pi',
          'Prediction interval',
          PI_TYPES.map((p): Choice => [p, p === 'default' ? "metafor's (normal or t)" : 'Riley: t, df = k − 2']),
        ),
        sel('preset', 'Conventions (preset)', [
          ['', 'None: metafor defaults'],
          ...PRESET_NAMES.map((p): Choice => [
            p,
            p === 'revman5' ? 'RevMan 5 (DL, RevMan SMD, zero cells)' : "metafor's defaults",
          ]),
        ]),
      ),
      group(
        'Effect sizes',
        sel('smd', 'SMD variant', [
          ['', 'Default: exact Hedges’ g'],
          ['metafor', 'metafor: exact Hedges’ g'],
          ['revman', 'RevMan 5: approximate g'],
        ]),
        sel('vtype', 'Sampling variance type', vtypeChoices),
        input('add', 'Zero cells: add', 'number', '2×2 data: continuity correction (default ½)', {
          min: '0',
          step: 'any',
          inputmode: 'decimal',
        }),
        sel('to', 'Zero cells: to which studies', [
          ['', 'Default: only0'],
          ...ZERO_CELL_RULES.map((z): Choice => [z, z]),
        ]),
        check('drop00', 'Double-zero studies are not estimable'),
      ),
      group(
        'Subgroups',
        sel('by', 'Subgroup column', byChoices),
        check('keep', 'Keep rows without a subgroup in the overall analysis'),
      ),
      group(
        'Forest plot',
        sel('sort', 'Study order', sortChoices),
        input('fl', 'Left label', 'text', undefined, { placeholder: 'Favours experimental', maxlength: '60' }),
        input('fr', 'Right label', 'text', undefined, { placeholder: 'Favours control', maxlength: '60' }),
        input('title', 'Title', 'text', undefined, { maxlength: '120' }),
      ),
    );
    this.sync();
  }

  private add(c: Control): void {
    this.controls.push(c);
    const ev =
      c.el instanceof HTMLInputElement && c.el.type !== 'checkbox' && c.el.type !== 'number' ? 'change' : 'change';
    c.el.addEventListener(ev, () => {
      const v = c.el instanceof HTMLInputElement && c.el.type === 'checkbox' ? (c.el.checked ? '1' : '') : c.el.value;
      this.model.set({ [c.key]: v });
    });
  }

  /** Puts the model's values (and the current choices) into the controls. */
  sync(): void {
    for (const c of this.controls) {
      if (c.choices && c.el instanceof HTMLSelectElement) fillSelect(c.el, c.choices(this.model));
      const v = this.model.values[c.key];
      if (c.el instanceof HTMLInputElement && c.el.type === 'checkbox') c.el.checked = v === '1';
      else if (c.el instanceof HTMLSelectElement && ![...c.el.options].some((o) => o.value === v)) {
        c.el.append(h('option', { value: v }, `${v} (not valid here)`));
        c.el.value = v;
      } else c.el.value = v;
    }
    const measure = currentMeasure(this.model);
    const family = measure ? measureSpec(measure).family : null;
    this.enable('smd', family === 'two-group-means');
    const table = family === 'two-by-two' || family === 'paired-two-by-two' || family === 'person-time';
    this.enable('add', table);
    this.enable('to', table);
    this.enable('drop00', table);
    this.enable('keep', this.model.values.by !== '');
    const v = this.model.values;
    const summary = document.getElementById('options-summary');
    if (summary)
      summary.textContent = [
        measure ?? 'no measure',
        v.method || (v.preset === 'revman5' ? 'DL' : 'REML'),
        `${v.test || 'z'} test`,
        `${v.level || '95'}% CI`,
        ...(v.preset ? [`preset ${v.preset}`] : []),
        ...(v.by ? [`by ${v.by}`] : []),
      ].join(' · ');
  }

  private enable(key: Key, on: boolean): void {
    const c = this.controls.find((x) => x.key === key);
    if (c) c.el.disabled = !on;
  }
}

function wrap(label: string, el: HTMLElement, hint?: string): HTMLElement {
  const w = h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
  if (hint) {
    el.setAttribute('aria-describedby', `${el.id}-hint`);
    w.append(h('p', { class: 'hint', id: `${el.id}-hint` }, hint));
  }
  return w;
}
