/**
 * Tabs as the WAI-ARIA Authoring Practices describe them: a tablist of buttons (arrow keys, Home and End
 * move between tabs and activate them), one tabpanel each; only the active panel is shown.
 */
import { h } from './dom.ts';

export interface TabSpec {
  readonly id: string;
  readonly title: string;
  readonly panel: HTMLElement;
}

export class Tabs {
  private readonly buttons = new Map<string, HTMLButtonElement>();
  active: string;

  constructor(
    list: HTMLElement,
    container: HTMLElement,
    private readonly tabs: readonly TabSpec[],
    initial: string,
    private readonly onSelect: (id: string) => void,
  ) {
    this.active = tabs.some((t) => t.id === initial) ? initial : (tabs[0]?.id ?? '');
    for (const t of tabs) {
      const b = h(
        'button',
        { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, 'data-tab': t.id },
        t.title,
      );
      b.addEventListener('click', () => this.select(t.id, false));
      b.addEventListener('keydown', (e) => this.key(e, t.id));
      this.buttons.set(t.id, b);
      list.append(b);
      t.panel.id = `panel-${t.id}`;
      t.panel.setAttribute('role', 'tabpanel');
      t.panel.setAttribute('aria-labelledby', `tab-${t.id}`);
      t.panel.setAttribute('tabindex', '0');
      t.panel.classList.add('panel');
      container.append(t.panel);
    }
    this.show();
  }

  private key(e: KeyboardEvent, id: string): void {
    const ids = this.tabs.map((t) => t.id);
    const i = ids.indexOf(id);
    const to =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? ids[(i + 1) % ids.length]
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? ids[(i - 1 + ids.length) % ids.length]
          : e.key === 'Home'
            ? ids[0]
            : e.key === 'End'
              ? ids[ids.length - 1]
              : undefined;
    if (to === undefined) return;
    e.preventDefault();
    this.select(to, true);
  }

  select(id: string, focus: boolean): void {
    if (!this.buttons.has(id)) return;
    this.active = id;
    this.show();
    if (focus) this.buttons.get(id)?.focus();
    this.onSelect(id);
  }

  private show(): void {
    for (const t of this.tabs) {
      const on = t.id === this.active;
      const b = this.buttons.get(t.id);
      b?.setAttribute('aria-selected', String(on));
      b?.setAttribute('tabindex', on ? '0' : '-1');
      t.panel.hidden = !on;
    }
  }
}
