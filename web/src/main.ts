/**
 * The evsynth explorer: pick a bundled dataset or open a CSV (parsed here, in the browser), choose
 * measure, method, test and subgroups, switch studies on and off, and see the forest plot and the
 * numbers refit at once. All text from data files is inserted as text, never as HTML.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  analyzeTable,
  forestFrom,
  forestSpec,
  formatNumber,
  formatPercent,
  formatPValue,
  hasColumn,
  MEASURES,
  measuresForColumns,
  overallOf,
  parseCsv,
  POOLING_METHODS,
  reproduceDataset,
  studyDataColumns,
  studyLabels,
  summarize,
  summarizeSubgroups,
  validateProvenance,
  type DataTable,
  type FitSummary,
  type Measure,
  type Provenance,
} from 'evsynth';

const provenances = import.meta.glob('../../datasets/*/provenance.json', { eager: true, import: 'default' }) as Record<
  string,
  unknown
>;
const csvFiles = import.meta.glob('../../datasets/*/data.csv', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>;

interface Source {
  name: string;
  table: DataTable;
  provenance: Provenance | null;
}
const datasets: Source[] = Object.entries(provenances)
  .flatMap(([path, json]) => {
    const dir = path.replace(/\/provenance\.json$/, '');
    const csv = csvFiles[`${dir}/data.csv`];
    if (csv === undefined) return [];
    const name = dir.split('/').pop() as string;
    return [
      {
        name,
        table: parseCsv(csv, `${name}/data.csv`),
        provenance: validateProvenance(json, `${name}/provenance.json`),
      },
    ];
  })
  .sort((a, b) => a.name.localeCompare(b.name));

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '', attrs: Record<string, string> = {}) => {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const fill = (select: HTMLSelectElement, values: readonly string[], labels: readonly string[] = values) => {
  select.replaceChildren(...values.map((v, i) => el('option', labels[i] ?? v, { value: v })));
};

let source: Source | null = null;
let active: boolean[] = [];
let view: vega.View | null = null;
let lastSummary: unknown = null;
let lastStudies: FitSummary['studies'] = [];

const ui = {
  dataset: $<HTMLSelectElement>('dataset'),
  file: $<HTMLInputElement>('file'),
  measure: $<HTMLSelectElement>('measure'),
  method: $<HTMLSelectElement>('method'),
  test: $<HTMLSelectElement>('test'),
  smd: $<HTMLSelectElement>('smd'),
  by: $<HTMLSelectElement>('by'),
  error: $('error'),
  summary: $('summary'),
  plot: $('plot'),
  list: $('study-list'),
  claims: $('claims'),
  timing: $('timing'),
};
fill(
  ui.dataset,
  datasets.map((d) => d.name),
  datasets.map((d) => `${d.name} (k = ${d.table.rows.length})`),
);
fill(ui.measure, [...MEASURES]);
fill(
  ui.method,
  POOLING_METHODS.filter((m) => m !== 'FE'),
);
ui.method.value = 'REML';

/** A sensible first measure for an uploaded table, from its columns (the user can change it). */
function guessMeasure(t: DataTable): Measure {
  return measuresForColumns((c) => hasColumn(t, c))[0] ?? 'GEN';
}

function setSource(s: Source): void {
  source = s;
  active = s.table.rows.map(() => true);
  const defaultMeasure: Measure = s.provenance?.measure ?? guessMeasure(s.table);
  ui.measure.value = defaultMeasure;
  ui.method.value = s.provenance?.model?.method ?? 'REML';
  ui.smd.value = s.provenance?.model?.smd ?? 'metafor';
  const groupCols = s.table.header.filter(
    (h) => !/^(study|yi|vi|sei|ci_lb|ci_ub|[nmst]d?[12]i|[abcd]i|revman_.*|footnote|note|source|year)$/.test(h),
  );
  fill(ui.by, ['', ...groupCols], ['none', ...groupCols]);
  ui.by.value = s.provenance?.subgroupColumn ?? '';
  const labels = studyLabels(s.table);
  ui.list.replaceChildren(
    ...labels.map((label, i) => {
      const li = el('li');
      const box = el('input', '', {
        type: 'checkbox',
        'data-row': String(i),
        'data-testid': `toggle-${i}`,
      }) as HTMLInputElement;
      box.checked = true;
      box.addEventListener('change', () => {
        active[i] = box.checked;
        update();
      });
      const lab = el('label');
      lab.append(box, document.createTextNode(` ${label}`));
      li.append(lab);
      return li;
    }),
  );
  update();
}

function subsetTable(t: DataTable, keep: readonly boolean[]): DataTable {
  const idx = t.rows.map((_, i) => i).filter((i) => keep[i]);
  return {
    file: t.file,
    header: t.header,
    rows: idx.map((i) => t.rows[i] as string[]),
    lines: idx.map((i) => t.lines[i] as number),
  };
}

function update(): void {
  if (!source) return;
  ui.error.textContent = '';
  try {
    const t = subsetTable(source.table, active);
    const t0 = performance.now();
    const by = ui.by.value;
    const { options, result } = analyzeTable(t, {
      measure: ui.measure.value,
      method: ui.method.value,
      test: ui.test.value as 'z' | 'knha' | 'adhoc',
      smd: ui.smd.value as 'metafor' | 'revman',
      ...(by ? { by } : {}),
    });
    const s = summarize(overallOf(result));
    const ms = performance.now() - t0;
    lastSummary = result.kind === 'subgroups' ? summarizeSubgroups(result.analysis) : s;
    lastStudies = s.studies;
    ui.timing.textContent = `computed in ${ms.toFixed(1)} ms`;
    showSummary(s);
    const input = forestFrom(result, { columns: studyDataColumns(t, options.measure) });
    void draw(forestSpec(input, { width: Math.max(800, ui.plot.clientWidth || 900) }));
    showClaims();
  } catch (e) {
    ui.error.textContent = e instanceof Error ? e.message : String(e);
  }
}

function showSummary(s: FitSummary): void {
  const p = (label: string, value: string, testid?: string) => {
    const d = el('div');
    d.append(document.createTextNode(`${label}: `));
    const b = el('b', value, testid ? { 'data-testid': testid } : {});
    d.append(b);
    return d;
  };
  const e = s.exponentiated;
  ui.summary.replaceChildren(
    el(
      'div',
      `${s.model === 'random' ? `Random effects (${s.method})` : s.model} · ${s.measure} · k = ${s.k} · test ${s.test}`,
    ),
    p('Pooled estimate', formatNumber(s.estimate), 'estimate'),
    p(`${s.level}% CI`, `${formatNumber(s.ciLower)} to ${formatNumber(s.ciUpper)}`, 'ci'),
    ...(e
      ? [p('Exponentiated', `${formatNumber(e.estimate)} (${formatNumber(e.ciLower)} to ${formatNumber(e.ciUpper)})`)]
      : []),
    ...(s.piLower !== null
      ? [p('Prediction interval', `${formatNumber(s.piLower)} to ${formatNumber(s.piUpper)}`)]
      : []),
    p(
      'Heterogeneity',
      `τ² = ${formatNumber(s.tau2)}, I² = ${formatPercent(s.I2)}, Q(${s.QDf}) = ${formatNumber(s.Q, 2)}, p ${formatPValue(s.QPValue).startsWith('<') ? '' : '= '}${formatPValue(s.QPValue)}`,
    ),
    ...(s.excluded.length > 0
      ? [el('div', `Excluded: ${s.excluded.map((x) => `${x.label} (${x.reason})`).join('; ')}`)]
      : []),
  );
}

async function draw(spec: TopLevelSpec): Promise<void> {
  view?.finalize();
  view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'svg', container: ui.plot, hover: false });
  await view.runAsync();
}

function showClaims(): void {
  const prov = source?.provenance;
  if (!source || !prov) {
    ui.claims.replaceChildren(el('p', 'An uploaded file has no published claims.', { class: 'muted' }));
    return;
  }
  const r = reproduceDataset({ name: source.name, dir: '', provenance: prov, table: source.table, dataFile: null });
  const rows = r.checks.slice(0, 200);
  const table = el('table');
  const head = el('tr');
  for (const h of ['claim', 'published', 'recomputed', 'verdict']) head.append(el('th', h));
  table.append(head);
  const fmt = (v: unknown) =>
    v === null
      ? '—'
      : Array.isArray(v)
        ? `${formatNumber(v[0] as number)} to ${formatNumber(v[1] as number)}`
        : formatNumber(v as number);
  for (const c of rows) {
    const tr = el('tr');
    tr.append(el('td', c.claim), el('td', fmt(c.published)), el('td', fmt(c.recomputed)), el('td', c.verdict));
    table.append(tr);
  }
  ui.claims.replaceChildren(
    el(
      'p',
      `${prov.title}. All studies of the dataset (toggles do not apply): ${r.counts.reproduced} reproduced, ${r.counts.differs} differ, ${r.counts.consistent} consistent with another published claim, ${r.counts.inconsistent} inconsistent, ${r.counts['not checkable']} not checkable.`,
    ),
    table,
  );
}

function download(name: string, data: BlobPart, type: string): void {
  const a = el('a', '', { download: name, href: URL.createObjectURL(new Blob([data], { type })) }) as HTMLAnchorElement;
  a.click();
}
$('dl-svg').addEventListener('click', () => {
  if (view) void view.toSVG().then((svg) => download('forest.svg', svg, 'image/svg+xml'));
});
$('dl-png').addEventListener('click', () => {
  if (view)
    void view
      .toImageURL('png', 2)
      .then((href) => (el('a', '', { download: 'forest.png', href }) as HTMLAnchorElement).click());
});
$('dl-json').addEventListener('click', () =>
  download('analysis.json', JSON.stringify(lastSummary, null, 2), 'application/json'),
);
$('dl-csv').addEventListener('click', () => {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  download(
    'studies.csv',
    [
      'study,yi,vi,ci_lb,ci_ub,weight',
      ...lastStudies.map((s) => [q(s.label), s.yi, s.vi, s.ciLower, s.ciUpper, s.weight].join(',')),
    ].join('\n'),
    'text/csv',
  );
});

for (const s of [ui.measure, ui.method, ui.test, ui.smd, ui.by]) s.addEventListener('change', update);
ui.dataset.addEventListener('change', () => {
  const d = datasets.find((x) => x.name === ui.dataset.value);
  if (d) setSource(d);
});
ui.file.addEventListener('change', () => {
  const f = ui.file.files?.[0];
  if (!f) return;
  void f.text().then((text) => {
    try {
      setSource({ name: f.name, table: parseCsv(text, f.name), provenance: null });
    } catch (e) {
      ui.error.textContent = e instanceof Error ? e.message : String(e);
    }
  });
});

const first = datasets.find((d) => d.name === 'knee-oa-exercise-pain') ?? datasets[0];
if (first) {
  ui.dataset.value = first.name;
  setSource(first);
}
