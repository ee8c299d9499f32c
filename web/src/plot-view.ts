/**
 * Renders the engine's vega-lite specs with vega, without eval: vega parses expressions to an AST
 * (`ast: true`) and vega-interpreter evaluates them, so the page's content security policy needs no
 * 'unsafe-eval'. Each plot is an image for assistive technology (role="img", a label, and a pointer to the
 * table that gives its numbers as text).
 */
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { download, h } from './dom.ts';

function runtime(spec: TopLevelSpec): vega.Runtime {
  return vega.parse(compile(spec).spec, undefined, { ast: true });
}

/** A vega view of `spec`, headless (for export) or rendered as SVG into `container`. */
async function viewOf(spec: TopLevelSpec, container?: HTMLElement): Promise<vega.View> {
  const view = new vega.View(runtime(spec), {
    renderer: container ? 'svg' : 'none',
    ...(container ? { container } : {}),
    hover: false,
    expr: expressionInterpreter,
  } as vega.ViewOptions);
  await view.runAsync();
  return view;
}

/** SVG text of a spec, as the CLI writes it. */
async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = await viewOf(spec);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG data URL of a spec (2× scale). */
async function specToPng(spec: TopLevelSpec): Promise<string> {
  const view = await viewOf(spec);
  try {
    return await view.toImageURL('png', 2);
  } finally {
    view.finalize();
  }
}

/** Downloads a spec as SVG or PNG. */
export async function downloadSpec(spec: TopLevelSpec, name: string, format: 'svg' | 'png'): Promise<void> {
  if (format === 'svg') download(`${name}.svg`, await specToSvg(spec), 'image/svg+xml');
  else {
    const a = h('a', { download: `${name}.png`, href: await specToPng(spec) });
    document.body.append(a);
    a.click();
    a.remove();
  }
}

/** A plot in a container, replaced on each render; keeps the last view for export. */
export class PlotView {
  private view: vega.View | null = null;
  private spec: TopLevelSpec | null = null;
  private token = 0;
  constructor(
    readonly container: HTMLElement,
    private readonly label: string,
    private readonly describedBy?: string,
  ) {
    container.classList.add('plot-scroll');
  }

  /** Renders `spec` (a later call wins over an earlier one still running). */
  async render(spec: TopLevelSpec, label = this.label): Promise<void> {
    const token = ++this.token;
    const holder = h('div', {
      class: 'plot-img',
      role: 'img',
      'aria-label': label,
      'aria-describedby': this.describedBy,
    });
    const view = await viewOf(spec, holder);
    if (token !== this.token) {
      view.finalize();
      return;
    }
    this.view?.finalize();
    this.view = view;
    this.spec = spec;
    // vega labels its container ("Vega visualization"): the holder is an image with this plot's name, and the
    // SVG inside is presentational
    holder.setAttribute('role', 'img');
    holder.setAttribute('aria-label', label);
    holder.removeAttribute('aria-roledescription');
    holder.querySelector('svg')?.setAttribute('aria-hidden', 'true');
    this.container.replaceChildren(holder);
  }

  clear(message: string): void {
    this.token++;
    this.view?.finalize();
    this.view = null;
    this.spec = null;
    this.container.replaceChildren(h('p', { class: 'muted' }, message));
  }

  get current(): TopLevelSpec | null {
    return this.spec;
  }
}
