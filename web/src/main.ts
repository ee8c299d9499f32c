/**
 * The evsynth explorer: load a bundled dataset or a CSV file (parsed here, in the browser), edit it, choose
 * every model option the CLI has, switch studies on and off, and see every analysis refit at once. The
 * options live in the URL (a shareable link) and, with the edits, in the browser's storage.
 */
import { FLAGSHIP, BUNDLED, bundled } from './bundled.ts';
import { byId, fillSelect, h, messageOf } from './dom.ts';
import { Model, sourceFromCsv, sourceKey, sourceOfDataset, type Cells, type Source } from './model.ts';
import { OptionsForm } from './options.ts';
import type { Panel } from './panel.ts';
import { AnalysisPanel } from './panels/analysis.ts';
import { BiasPanel } from './panels/bias.ts';
import { DataPanel } from './panels/data.ts';
import { MultilevelPanel } from './panels/multilevel.ts';
import { RegressionPanel } from './panels/regression.ts';
import { ReproducePanel } from './panels/reproduce.ts';
import { RobPanel } from './panels/rob.ts';
import { SensitivityPanel } from './panels/sensitivity.ts';
import { DEFAULTS, fromFragment, MAX_LINK_DATA, encodeData, toFragment, type Values } from './settings.ts';
import * as storage from './storage.ts';
import { Tabs } from './tabs.ts';

const errorBox = byId('error');
const status = byId('status');
const sourceStatus = byId('source-status');
const datasetSelect = byId<HTMLSelectElement>('dataset');
const fileInput = byId<HTMLInputElement>('file');
const problems: string[] = [];

/** The options a bundled dataset starts with: its review's method, SMD variant and subgroup column. */
function datasetValues(name: string, keep: Partial<Values> = {}): Values {
  const b = bundled(name);
  const p = b?.provenance;
  return {
    ...DEFAULTS,
    ...keep,
    d: name,
    method: p?.model?.method ?? '',
    smd: p?.model?.smd ?? '',
    preset: p?.model?.preset ?? '',
    by: p?.subgroupColumn !== undefined && b?.table?.header.includes(p.subgroupColumn) ? p.subgroupColumn : '',
  };
}

function flagship(): Source {
  const b = bundled(FLAGSHIP) ?? BUNDLED.find((d) => d.table !== null);
  if (!b) throw new Error('no bundled dataset with study rows');
  return sourceOfDataset(b);
}

/** The first state: the link's, else the one kept in this browser, else the flagship dataset. */
function initialState(): {
  source: Source;
  values: Values;
  off: readonly number[];
  edited: Cells | null;
  shareData: boolean;
} {
  const link = fromFragment(location.hash);
  const saved = storage.load();
  let source: Source | null = null;
  let values: Values;
  let off: readonly number[] = [];
  let shareData = false;
  if (link) {
    problems.push(...link.problems);
    values = link.values;
    off = link.off;
    if (link.data) {
      try {
        source = sourceFromCsv('link', link.data.name, link.data.csv);
        values = { ...values, d: '' };
        shareData = true;
      } catch (e) {
        problems.push(`The dataset in the link cannot be read: ${messageOf(e)}`);
      }
    } else if (values.d !== '') {
      const b = bundled(values.d);
      if (b?.table) source = sourceOfDataset(b);
      else problems.push(`The link names a dataset '${values.d}' that has no study rows here; showing ${FLAGSHIP}.`);
    } else if (saved?.file) source = safeSource(saved.file.kind, saved.file.name, saved.file.csv);
  } else if (saved) {
    values = saved.values;
    off = saved.off;
    if (saved.file && values.d === '') source = safeSource(saved.file.kind, saved.file.name, saved.file.csv);
    else if (values.d !== '' && bundled(values.d)?.table)
      source = sourceOfDataset(bundled(values.d) as NonNullable<ReturnType<typeof bundled>>);
  } else values = datasetValues(FLAGSHIP);
  if (source === null) {
    source = flagship();
    if (values.d !== source.name) values = datasetValues(source.name, { tab: values.tab });
  }
  const edited = saved?.edits[sourceKey(source)] ?? null;
  return { source, values, off, edited, shareData };
}

function safeSource(kind: 'file' | 'link', name: string, csv: string): Source | null {
  try {
    return sourceFromCsv(kind, name, csv);
  } catch (e) {
    problems.push(`Your saved file ${name} cannot be read: ${messageOf(e)}`);
    return null;
  }
}

const init = initialState();
const model = new Model(init.source, init.values);
if (init.edited) model.setSource(init.source, init.edited, init.off);
else model.off = new Set(init.off);
let shareData = init.shareData;
let edits: Record<string, Cells> = { ...(storage.load()?.edits ?? {}) };

// ---------- the sidebar: data source and options ----------
function fillDatasets(): void {
  const s = model.source;
  const choices: [string, string][] = BUNDLED.filter((d) => d.table !== null).map((d) => [
    d.name,
    `${d.name} (k = ${d.table?.rows.length ?? 0})`,
  ]);
  fillSelect(datasetSelect, [
    ...(s.kind !== 'dataset'
      ? [['__file', `${s.kind === 'link' ? 'From the link' : 'Your file'}: ${s.name}`] as [string, string]]
      : []),
    ...choices,
  ]);
  datasetSelect.value = s.kind === 'dataset' ? s.name : '__file';
}
datasetSelect.addEventListener('change', () => {
  const b = bundled(datasetSelect.value);
  if (!b?.table) return;
  model.values = datasetValues(b.name, { tab: model.values.tab });
  const e = edits[sourceKey({ kind: 'dataset', name: b.name })];
  model.setSource(sourceOfDataset(b), e ?? null);
});
fileInput.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (!f) return;
  void f.text().then((text) => {
    try {
      const src = sourceFromCsv('file', f.name, text);
      model.values = { ...DEFAULTS, tab: model.values.tab };
      shareData = false;
      model.setSource(src, edits[sourceKey(src)] ?? null);
    } catch (e) {
      showError(messageOf(e), 'file');
    }
    fileInput.value = '';
  });
});

const optionsDetails = byId<HTMLDetailsElement>('options');
if (window.matchMedia('(min-width: 90rem)').matches) optionsDetails.open = true;
const form = new OptionsForm(model, byId('options-body'));

// ---------- tabs and panels ----------
const analysis = new AnalysisPanel(model);
const panels: Panel[] = [
  analysis,
  new DataPanel(model),
  new RegressionPanel(model),
  new SensitivityPanel(model),
  new BiasPanel(model),
  new MultilevelPanel(model),
  new RobPanel(model),
  new ReproducePanel(model),
];
const dirty = new Set(panels.map((p) => p.id));
const tabs = new Tabs(
  byId('tabs'),
  byId('panels'),
  panels.map((p) => ({ id: p.id, title: p.title, panel: p.root })),
  model.values.tab,
  (id) => {
    if (model.values.tab !== id) model.set({ tab: id }, 'tab');
  },
);

let fileError: string | null = null;
function showError(message: string | null, kind: 'file' | 'analysis' = 'analysis'): void {
  if (kind === 'file') fileError = message;
  const lines = [...problems, ...(fileError ? [fileError] : []), ...(message && kind === 'analysis' ? [message] : [])];
  errorBox.replaceChildren(...lines.map((l) => h('p', {}, l)));
  errorBox.hidden = lines.length === 0;
}

function describeSource(): void {
  const s = model.source;
  const cur = model.current();
  const k = cur.work?.rows.length ?? model.cells.rows.length;
  const off = model.off.size;
  const parts = [
    s.kind === 'dataset'
      ? (s.bundled?.provenance.title ?? s.name)
      : `${s.kind === 'link' ? 'Data from the link' : 'Your file'} ${s.name}`,
    `${k} ${k === 1 ? 'row' : 'rows'}`,
    ...(off > 0 ? [`${off} switched off`] : []),
    ...(model.edited ? ['edited (see the Data tab)'] : []),
  ];
  sourceStatus.textContent = parts.join(' · ');
}

/** Shows the current inputs in the visible panel; the others update when they are opened. */
function refresh(reason: string): void {
  const t0 = performance.now();
  const cur = model.current();
  showError(cur.error);
  if (reason !== 'toggle' && reason !== 'tab') {
    fillDatasets();
    form.sync();
  }
  describeSource();
  for (const p of panels) dirty.add(p.id);
  const visible = panels.find((p) => p.id === tabs.active);
  if (visible) {
    dirty.delete(visible.id);
    void visible.update(cur, model);
  }
  if (visible === analysis && cur.fit) {
    void byId('panels').offsetHeight; // include style and layout in the time
    const ms = performance.now() - t0;
    status.textContent = `Refit and redraw: ${ms.toFixed(1)} ms (k = ${cur.table?.rows.length ?? 0}; fit ${cur.fitMs.toFixed(1)} ms)`;
    status.dataset['steps'] = JSON.stringify({ ...analysis.steps, total: ms, fit: cur.fitMs });
  } else if (reason !== 'tab') status.textContent = '';
  persist();
}

let persistTimer = 0;
function persist(): void {
  window.clearTimeout(persistTimer);
  persistTimer = window.setTimeout(() => {
    const key = sourceKey(model.source);
    if (model.edited) edits = { ...edits, [key]: model.cells };
    else {
      const { [key]: _gone, ...rest } = edits;
      edits = rest;
    }
    const s = model.source;
    const ok = storage.save({
      values: model.values,
      off: [...model.off],
      file: s.kind === 'dataset' ? null : { kind: s.kind, name: s.name, csv: s.csv },
      edits,
    });
    if (!ok && !problems.includes(STORAGE_FULL)) {
      problems.push(STORAGE_FULL);
      showError(model.current().error);
    }
    history.replaceState(null, '', `#${linkFragment(shareData)}`);
  }, 150);
}
const STORAGE_FULL =
  'This browser did not let the explorer keep your work (storage is full or disabled): it will be lost on reload. Export the edited CSV from the Data tab.';

/** The link's fragment; the data go in only when the user asks and they are small enough. */
function linkFragment(withData: boolean): string {
  const s = model.source;
  const data = withData ? { name: s.name, csv: model.workCsv() } : null;
  const fits = data !== null && encodeData(data.csv).length <= MAX_LINK_DATA;
  const dataInLink = withData && (model.edited || s.kind !== 'dataset') && fits;
  return toFragment({
    values: model.values,
    off: [...model.off].sort((a, b) => a - b),
    data: dataInLink ? data : null,
  });
}

// ---------- share and reset ----------
const shareBox = h('div', {
  class: 'share',
  id: 'share-box',
  hidden: true,
  role: 'region',
  'aria-label': 'Share a link',
});
byId('share').after(shareBox);
byId('share').setAttribute('aria-expanded', 'false');
byId('share').setAttribute('aria-controls', 'share-box');
byId('share').addEventListener('click', () => {
  const open = shareBox.hidden;
  shareBox.hidden = !open;
  byId('share').setAttribute('aria-expanded', String(open));
  if (open) buildShare();
});
function buildShare(): void {
  const s = model.source;
  const local = s.kind !== 'dataset' || model.edited;
  const size = encodeData(model.workCsv()).length;
  const url = () => `${location.href.split('#')[0]}#${linkFragment(shareData)}`;
  const out = h('input', {
    type: 'text',
    readonly: true,
    id: 'share-url',
    value: url(),
    'aria-label': 'Link to this view',
  });
  const copy = h('button', { type: 'button' }, 'Copy');
  const note = h('p', { class: 'hint', role: 'status' });
  copy.addEventListener('click', () => {
    out.select();
    void navigator.clipboard?.writeText(out.value).then(
      () => (note.textContent = 'Link copied.'),
      () => (note.textContent = 'Select the link and copy it (the browser did not allow copying).'),
    );
  });
  const parts: HTMLElement[] = [
    h('label', { for: 'share-url' }, 'Link to this view (options, switches and tab)'),
    out,
    copy,
    note,
  ];
  if (local) {
    const box = h('input', { type: 'checkbox', id: 'share-data', checked: shareData, disabled: size > MAX_LINK_DATA });
    box.addEventListener('change', () => {
      shareData = box.checked;
      out.value = url();
      persist();
    });
    parts.push(
      h(
        'div',
        { class: 'field check' },
        box,
        h(
          'label',
          { for: 'share-data' },
          size > MAX_LINK_DATA
            ? `Your data are too large for a link (${size} characters compressed; the limit is ${MAX_LINK_DATA}): share the CSV file instead.`
            : `Put your data in the link (${size} characters). Without this the link has the options only, and your data stay on this device.`,
        ),
      ),
    );
  }
  shareBox.replaceChildren(...parts);
}

const resetBox = byId('reset-confirm');
byId('reset').addEventListener('click', () => {
  resetBox.hidden = false;
  byId('reset').setAttribute('aria-expanded', 'true');
  byId('reset-no').focus();
});
byId('reset-no').addEventListener('click', () => {
  resetBox.hidden = true;
  byId('reset').setAttribute('aria-expanded', 'false');
  byId('reset').focus();
});
byId('reset-yes').addEventListener('click', () => {
  window.clearTimeout(persistTimer);
  storage.clear();
  history.replaceState(null, '', location.pathname + location.search);
  location.reload();
});

model.on(refresh);
refresh('source');
