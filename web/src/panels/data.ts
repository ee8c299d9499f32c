/**
 * The Data tab: the working copy as an editable grid (cells, column names, rows and columns added or
 * removed, blocks pasted from a spreadsheet), validated by the engine's own CSV reader and analysis (the
 * CLI's messages, with file, line and column); "What changed" compares the working copy with the loaded
 * version through the engine's update/diff (rows, pooled results, conclusion flags, published claims); the
 * edited CSV can be exported.
 */
import { compareVersions, type EvidenceDiff, type PooledSummary } from 'evsynth';
import { datasetOf, resolver } from '../bundled.ts';
import { dataTable, download, h, messageOf, scroller } from '../dom.ts';

const scrolled = (...a: Parameters<typeof dataTable>) => scroller(dataTable(...a), a[0] ?? 'Table');
import type { Cells, Current, Model } from '../model.ts';
import type { Panel } from '../panel.ts';
import { baseName } from './analysis.ts';
import { num, pct } from '../show.ts';

/** Splits pasted text into rows of cells: tab-separated (spreadsheets), else comma-separated. */
function parsePasted(text: string): string[][] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const sep = text.includes('\t') ? '\t' : ',';
  return lines.map((l) => l.split(sep).map((c) => c.trim()));
}

export class DataPanel implements Panel {
  readonly id = 'data';
  readonly title = 'Data';
  readonly root = h('section', { 'aria-label': 'Data' });
  private readonly gridHead = h('thead');
  private readonly gridBody = h('tbody');
  private readonly problem = h('div', { class: 'error-inline', 'data-testid': 'data-error', role: 'status' });
  private readonly diffBox = h('div', { class: 'diff', 'data-testid': 'diff' });
  private readonly info = h('p', { class: 'hint' });
  private gridKey = '';
  private cells: Cells = { header: [], rows: [] };

  constructor(private readonly model: Model) {
    const button = (label: string, f: () => void, attrs: Record<string, string> = {}) => {
      const b = h('button', { type: 'button', ...attrs }, label);
      b.addEventListener('click', f);
      return b;
    };
    const newCol = h('input', { type: 'text', id: 'new-column', placeholder: 'e.g. subgroup', maxlength: '60' });
    const addCol = () => {
      const name = newCol.value.trim();
      if (name === '') {
        newCol.focus();
        return;
      }
      newCol.value = '';
      this.commit({ header: [...this.cells.header, name], rows: this.cells.rows.map((r) => [...r, '']) });
    };
    newCol.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') addCol();
    });
    const mid = h('input', { type: 'number', id: 'diff-mid', step: 'any', min: '0', inputmode: 'decimal' });
    mid.value = model.values.mid;
    mid.addEventListener('change', () => model.set({ mid: mid.value }, 'options'));
    this.root.append(
      h('h3', {}, 'Your working copy'),
      h(
        'p',
        { class: 'hint' },
        'Edit any cell (Enter moves down), paste a block of cells copied from a spreadsheet into a cell, add or delete rows and columns. The analyses use your working copy at once; the loaded version stays as it was.',
      ),
      h(
        'div',
        { class: 'toolbar' },
        button('Add a row', () => this.addRow(), { 'data-testid': 'add-row' }),
        h('label', { for: 'new-column' }, 'New column'),
        newCol,
        button('Add the column', addCol),
        button('Export the edited CSV', () => this.export(), { 'data-testid': 'export-csv' }),
        button('Back to the loaded version', () => model.revert(), { 'data-testid': 'revert' }),
      ),
      this.info,
      this.problem,
      h(
        'div',
        { class: 'table-scroll grid-scroll', tabindex: '0', role: 'region', 'aria-label': 'Data grid' },
        h(
          'table',
          { class: 'grid', 'data-testid': 'grid' },
          h('caption', { class: 'visually-hidden' }, 'Data grid: one row per study, one column per CSV column'),
          this.gridHead,
          this.gridBody,
        ),
      ),
      h('h3', { id: 'diff-h' }, 'What changed'),
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: 'diff-mid' }, 'Minimal important difference (optional; a ratio above 1 for ratio measures)'),
        mid,
      ),
      this.diffBox,
    );
  }

  update(cur: Current): void {
    const m = this.model;
    const key = `${cur.source.kind}:${cur.source.name}|${m.cells.header.join('\u0001')}|${m.cells.rows.length}`;
    if (key !== this.gridKey || this.cells !== m.cells) {
      // rebuild only when the shape changed or the cells came from elsewhere (load, revert)
      if (key !== this.gridKey || !this.sameCells(m.cells)) this.build(m.cells);
      this.gridKey = key;
      this.cells = m.cells;
    }
    this.info.textContent = `${m.cells.rows.length} rows, ${m.cells.header.length} columns${m.edited ? ' · edited' : ' · as loaded'}.`;
    this.markError(cur);
    this.showDiff(cur);
  }

  private sameCells(c: Cells): boolean {
    const inputs = this.gridBody.querySelectorAll('input[data-r]');
    if (inputs.length !== c.rows.length * c.header.length) return false;
    for (const el of inputs) {
      const i = el as HTMLInputElement;
      if (c.rows[Number(i.dataset['r'])]?.[Number(i.dataset['c'])] !== i.value) return false;
    }
    return true;
  }

  private build(c: Cells): void {
    this.gridHead.replaceChildren(
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'rownum' }, 'Row'),
        ...c.header.map((name, j) => {
          const inp = h('input', {
            type: 'text',
            value: name,
            'aria-label': `Name of column ${j + 1}`,
            'data-h': j,
            class: 'colname',
          });
          inp.addEventListener('change', () => {
            const header = [...this.cells.header];
            header[j] = inp.value.trim();
            this.commit({ header, rows: this.cells.rows });
          });
          const del = h(
            'button',
            { type: 'button', class: 'icon', 'aria-label': `Delete column ${name}`, title: `Delete column ${name}` },
            '×',
          );
          del.addEventListener('click', () =>
            this.commit({
              header: this.cells.header.filter((_, x) => x !== j),
              rows: this.cells.rows.map((r) => r.filter((_, x) => x !== j)),
            }),
          );
          return h('th', { scope: 'col' }, h('div', { class: 'colhead' }, inp, del));
        }),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Delete')),
      ),
    );
    const frag = document.createDocumentFragment();
    c.rows.forEach((row, i) => frag.append(this.rowEl(row, i, c.header)));
    this.gridBody.replaceChildren(frag);
  }

  private rowEl(row: readonly string[], i: number, header: readonly string[]): HTMLTableRowElement {
    const label = row[header.indexOf('study')] ?? '';
    const tr = h('tr', { 'data-row': i });
    tr.append(h('th', { scope: 'row', class: 'rownum' }, String(i + 1)));
    header.forEach((col, j) => {
      const inp = h('input', {
        type: 'text',
        value: row[j] ?? '',
        'aria-label': `${col}, row ${i + 1}`,
        'data-r': i,
        'data-c': j,
        'data-testid': `cell-${i}-${col}`,
      });
      inp.addEventListener('change', () => this.setCell(i, j, inp.value));
      inp.addEventListener('keydown', (e) => this.key(e, i, j));
      inp.addEventListener('paste', (e) => this.paste(e, i, j));
      tr.append(h('td', {}, inp));
    });
    const del = h(
      'button',
      {
        type: 'button',
        class: 'icon',
        'aria-label': `Delete row ${i + 1}${label ? ` (${label})` : ''}`,
        'data-testid': `delete-row-${i}`,
      },
      '×',
    );
    del.addEventListener('click', () => {
      this.model.edit({ header: this.cells.header, rows: this.cells.rows.filter((_, x) => x !== i) }, [i]);
    });
    tr.append(h('td', {}, del));
    return tr;
  }

  private input(r: number, c: number): HTMLInputElement | null {
    return this.gridBody.querySelector(`input[data-r="${r}"][data-c="${c}"]`);
  }

  private key(e: KeyboardEvent, r: number, c: number): void {
    const to = e.key === 'Enter' || e.key === 'ArrowDown' ? r + 1 : e.key === 'ArrowUp' ? r - 1 : null;
    if (to === null) return;
    const next = this.input(to, c);
    if (next) {
      e.preventDefault();
      (e.target as HTMLInputElement).dispatchEvent(new Event('change'));
      next.focus();
      next.select();
    } else if (e.key === 'Enter') (e.target as HTMLInputElement).dispatchEvent(new Event('change'));
  }

  private setCell(r: number, c: number, value: string): void {
    const rows = this.cells.rows.map((row, i) => (i === r ? row.map((x, j) => (j === c ? value : x)) : row));
    this.commit({ header: this.cells.header, rows });
  }

  /** A block pasted from a spreadsheet fills the grid from the cell, adding rows as needed. */
  private paste(e: ClipboardEvent, r: number, c: number): void {
    const text = e.clipboardData?.getData('text/plain') ?? '';
    if (!/[\t\n]/.test(text.replace(/\n$/, ''))) return; // one value: the input takes it as usual
    e.preventDefault();
    let block = parsePasted(text);
    const header = this.cells.header;
    // a pasted header row that names this table's columns is not data
    if (block[0] && block[0].length > 1 && block[0].every((x, j) => x === header[c + j])) block = block.slice(1);
    const rows = this.cells.rows.map((row) => [...row]);
    block.forEach((vals, i) => {
      const at = r + i;
      while (rows.length <= at) rows.push(header.map(() => ''));
      vals.forEach((v, j) => {
        if (c + j < header.length) (rows[at] as string[])[c + j] = v;
      });
    });
    this.commit({ header, rows });
    this.build(this.cells);
  }

  private addRow(): void {
    const rows = [...this.cells.rows, this.cells.header.map(() => '')];
    this.commit({ header: this.cells.header, rows });
    this.build(this.cells);
    this.input(rows.length - 1, 0)?.focus();
  }

  private commit(c: Cells): void {
    this.cells = c;
    this.model.edit(c);
  }

  private markError(cur: Current): void {
    for (const el of this.gridBody.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    const msg = this.model.workError ?? cur.error;
    if (msg === null) {
      this.problem.replaceChildren();
      return;
    }
    const parts: (HTMLElement | string)[] = [h('strong', {}, 'This table cannot be analysed as it is: '), msg];
    const at = cur.errorAt;
    if (at && at.row !== null) {
      const c = at.column !== null ? this.cells.header.indexOf(at.column) : 0;
      const inp = this.input(at.row, Math.max(0, c));
      if (inp) {
        inp.setAttribute('aria-invalid', 'true');
        const go = h(
          'button',
          { type: 'button' },
          `Go to row ${at.row + 1}${at.column ? `, column ${at.column}` : ''}`,
        );
        go.addEventListener('click', () => inp.focus());
        parts.push(' ', go);
      }
    }
    this.problem.replaceChildren(h('p', {}, ...parts));
  }

  private showDiff(cur: Current): void {
    const m = this.model;
    if (!m.edited) {
      this.diffBox.replaceChildren(h('p', { class: 'muted' }, 'Nothing yet: your working copy is the loaded version.'));
      return;
    }
    if (cur.work === null) {
      this.diffBox.replaceChildren(
        h('p', { class: 'muted' }, 'The comparison waits until the table is valid CSV again.'),
      );
      return;
    }
    const b = cur.source.bundled;
    const mid = m.values.mid.trim() !== '' ? Number(m.values.mid) : undefined;
    let d: EvidenceDiff;
    try {
      d = compareVersions(
        { table: cur.source.table, dataset: b ? datasetOf(b) : null, label: 'loaded version' },
        { table: cur.work, dataset: b ? datasetOf(b, cur.work) : null, label: 'your working copy' },
        { request: cur.request, context: cur.context, resolve: resolver, ...(mid !== undefined ? { mid } : {}) },
      );
    } catch (e) {
      this.diffBox.replaceChildren(
        h('p', { class: 'error-inline' }, `The two versions cannot be compared: ${messageOf(e)}`),
      );
      return;
    }
    this.diffBox.replaceChildren(...diffView(d));
  }

  private export(): void {
    download(`${baseName(this.model.source.name)}-edited.csv`, this.model.workCsv(), 'text/csv');
  }
}

/** The diff as lists and a table (engine numbers, shown as the CLI's `diff` prints them). */
function diffView(d: EvidenceDiff): HTMLElement[] {
  const r = d.rows;
  const out: HTMLElement[] = [];
  out.push(
    h(
      'p',
      {},
      `Rows matched by ${r.basis}: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged} unchanged.`,
    ),
  );
  const items = [
    ...r.added.map((x) => h('li', { 'data-kind': 'added' }, h('strong', {}, 'Added: '), `${x.label} (line ${x.line})`)),
    ...r.removed.map((x) =>
      h(
        'li',
        { 'data-kind': 'removed' },
        h('strong', {}, 'Removed: '),
        `${x.label} (line ${x.line} of the loaded version)`,
      ),
    ),
    ...r.changed.map((x) =>
      h(
        'li',
        { 'data-kind': 'changed' },
        h('strong', {}, 'Changed: '),
        `${x.label}: ${x.columns.map((c) => `${c.column} '${c.before}' → '${c.after}'`).join(', ')}`,
      ),
    ),
  ];
  if (items.length > 0) out.push(h('ul', { class: 'changes', 'data-testid': 'diff-rows' }, ...items));
  const t = (x: number | null) => (x === null ? '—' : num(d.ratio ? Math.exp(x) : x, 2));
  const est = (s: PooledSummary | null) => (s === null ? '—' : `${t(s.estimate)} (${t(s.ciLower)} to ${t(s.ciUpper)})`);
  const arrow = (a: string, b: string) => (a === b ? b : `${a} → ${b}`);
  out.push(
    scrolled(
      `Pooled results before and after (${d.measure}, ${d.method}${d.by ? `, by ${d.by}` : ''})`,
      ['Analysis', 'k', `${d.measure} (95% CI)`, 'τ²', 'I²'],
      d.scopes.map((sc) => [
        sc.scope,
        arrow(String(sc.before?.k ?? '—'), String(sc.after?.k ?? '—')),
        arrow(est(sc.before), est(sc.after)),
        arrow(
          sc.before?.tau2 === null || sc.before?.tau2 === undefined ? '—' : num(sc.before.tau2, 3),
          sc.after?.tau2 === null || sc.after?.tau2 === undefined ? '—' : num(sc.after.tau2, 3),
        ),
        arrow(sc.before ? pct(sc.before.I2, 0) : '—', sc.after ? pct(sc.after.I2, 0) : '—'),
      ]),
      { numeric: [1, 2, 3, 4], testid: 'diff-scopes' },
    ),
  );
  out.push(
    d.flags.length > 0
      ? h(
          'div',
          { class: 'flags', 'data-testid': 'diff-flags' },
          h('p', {}, h('strong', {}, 'Conclusions that moved:')),
          h('ul', {}, ...d.flags.map((f) => h('li', {}, f.text))),
        )
      : h(
          'p',
          { 'data-testid': 'diff-flags' },
          'No conclusion moved (null, direction, heterogeneity band, subgroup test' +
            (d.mid !== null ? ', MID' : '') +
            ').',
        ),
  );
  if (d.claims) {
    const c = d.claims;
    const counts = (x: Readonly<Record<string, number>>) =>
      Object.entries(x)
        .filter(([, n]) => n > 0)
        .map(([v, n]) => `${n} ${v}`)
        .join(', ') || 'none';
    out.push(h('p', {}, `Published claims re-checked: before ${counts(c.before)}; after ${counts(c.after)}.`));
    if (c.changed.length > 0)
      out.push(h('ul', {}, ...c.changed.map((x) => h('li', {}, `${x.claim}: ${x.before} → ${x.after} (${x.detail})`))));
  }
  return out;
}
