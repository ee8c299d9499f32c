/**
 * DOM helpers. Every piece of text (study labels, cells, messages) goes in as a text node or an attribute
 * value, never as markup: nothing here parses HTML.
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null>;

function setAttrs(e: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(e: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`missing element #${id}`);
  return e as T;
}

/** Replaces the options of a select (value, label pairs; groups as [label, options]). */
export function fillSelect(
  select: HTMLSelectElement,
  options: readonly (
    readonly [string, string] | { readonly group: string; readonly options: readonly (readonly [string, string])[] }
  )[],
): void {
  const value = select.value;
  select.replaceChildren(
    ...options.map((o) =>
      'group' in o
        ? h('optgroup', { label: o.group }, ...o.options.map(([v, l]) => h('option', { value: v }, l)))
        : h('option', { value: o[0] }, o[1]),
    ),
  );
  if ([...select.options].some((o) => o.value === value)) select.value = value;
}

/** A table with a caption, header cells (scope=col) and body rows; numeric columns right-aligned. */
export function dataTable(
  caption: string | null,
  header: readonly string[],
  rows: readonly (readonly Child[])[],
  options: { readonly numeric?: readonly number[]; readonly className?: string; readonly testid?: string } = {},
): HTMLTableElement {
  const num = new Set(options.numeric ?? []);
  const t = h('table', { class: options.className, 'data-testid': options.testid });
  if (caption !== null) t.append(h('caption', {}, caption));
  t.append(
    h(
      'thead',
      {},
      h('tr', {}, ...header.map((c, j) => h('th', { scope: 'col', class: num.has(j) ? 'num' : undefined }, c))),
    ),
  );
  t.append(
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          ...r.map((c, j) =>
            j === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: num.has(j) ? 'num' : undefined }, c),
          ),
        ),
      ),
    ),
  );
  return t;
}

/** A term/value list ("τ²", "0.012"), with an optional test id on each value. */
export function facts(items: readonly (readonly [string, Child, string?])[]): HTMLDListElement {
  const dl = h('dl', { class: 'facts' });
  for (const [term, value, testid] of items) dl.append(h('dt', {}, term), h('dd', { 'data-testid': testid }, value));
  return dl;
}

/** Saves bytes or text as a file download. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h('a', { download: name, href: url });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The message of an error (EvsynthError messages name file, line and column). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A wide table in its own horizontally scrolling, keyboard-focusable region (the page itself never scrolls sideways). */
export function scroller(table: HTMLElement, label: string): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label }, table);
}
