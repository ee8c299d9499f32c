/**
 * A tiny literate-notebook helper: each notebook builds a Markdown report with prose, tables and
 * SVG figures, written to notebooks/out/. Numbers in the prose come from the engine's results.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../src/plots/render.ts';
import { baseConfig } from '../src/plots/theme.ts';
import { REFERENCES, type ReferenceKey } from './references.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));

/** Options of every notebook's `run()`: where to write (default notebooks/out/; the determinism test writes elsewhere). */
export interface RunOptions {
  readonly outDir?: string;
}
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

export class Notebook {
  private readonly parts: string[] = [];
  private readonly started = performance.now();
  private readonly out: string;
  constructor(
    readonly name: string,
    readonly title: string,
    readonly file: string,
    options: RunOptions = {},
  ) {
    this.out = options.outDir ?? OUT;
    mkdirSync(join(this.out, name), { recursive: true });
    this.parts.push(`# ${title}`, '');
  }
  md(text: string): this {
    this.parts.push(text.trim(), '');
    return this;
  }
  table(rows: readonly (readonly (string | number)[])[]): this {
    const [head, ...body] = rows;
    if (!head) return this;
    this.parts.push(
      `| ${head.join(' | ')} |`,
      `|${head.map(() => ' --- ').join('|')}|`,
      ...body.map((r) => `| ${r.join(' | ')} |`),
      '',
    );
    return this;
  }
  async figure(spec: TopLevelSpec, file: string, caption: string): Promise<this> {
    writeFileSync(join(this.out, this.name, file), await renderSvg(spec));
    this.parts.push(`![${caption}](${this.name}/${file})`, '', `*${caption}*`, '');
    return this;
  }
  /** The "what to take away" box. */
  takeaways(points: readonly string[]): this {
    this.parts.push('## What to take away', '', ...points.map((p) => `- ${p.trim()}`), '');
    return this;
  }
  /** Exercises, with their answers in a collapsed block after all questions. */
  exercises(items: readonly { readonly q: string; readonly a: string }[]): this {
    this.parts.push('## Exercises', '', ...items.map((e, i) => `${i + 1}. ${e.q.trim()}`), '');
    this.parts.push(
      '<details><summary>Answers</summary>',
      '',
      ...items.map((e, i) => `${i + 1}. ${e.a.trim()}`),
      '',
      '</details>',
      '',
    );
    return this;
  }
  /** The works the notebook cites, in the order given, from the shared bibliography (notebooks/references.ts). */
  references(keys: readonly ReferenceKey[]): this {
    this.parts.push('## References', '', ...keys.map((k) => `- ${REFERENCES[k]}`), '');
    return this;
  }
  save(): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.parts.push(
      '---',
      '',
      `Runtime: ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s on the machine that made it (everything above this line is identical on every run: the simulations are seeded).`,
      '',
      `Made by \`npx tsx notebooks/${this.file}\` (or \`npm run notebooks\`) with evsynth ${pkg.version}, Node ${process.version}, vega-lite ${pkg.dependencies['vega-lite']}, vega ${pkg.dependencies['vega']}.`,
    );
    writeFileSync(join(this.out, `${this.name}.md`), this.parts.join('\n') + '\n');
    if (this.out === OUT) process.stdout.write(`wrote notebooks/out/${this.name}.md\n`);
  }
}

export const f2 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? 'NA' : x.toFixed(2);
export const f3 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? 'NA' : x.toFixed(3);

/**
 * A line chart with a Monte Carlo 95% band (estimate ± 1.96·SE) per series: `rows` carry x, the
 * estimate, its band, the series and an optional facet.
 */
export function bandChart(
  rows: readonly { x: number; y: number; lo: number; hi: number; series: string; facet?: string }[],
  o: {
    xTitle: string;
    yTitle: string;
    yFormat?: string;
    reference?: number;
    logX?: boolean;
    /** A square-root x scale (for x values from 0 that crowd near 0, such as τ²). */
    sqrtX?: boolean;
    xFormat?: string;
    facetTitle?: string;
    width?: number;
    height?: number;
    yDomain?: [number, number];
    /** Facets with their own y scale (for quantities of different size per facet). */
    independentY?: boolean;
  },
): TopLevelSpec {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: o.xTitle,
    scale: o.logX ? { type: 'log', nice: false } : o.sqrtX ? { type: 'sqrt', nice: false } : { zero: false },
    axis: { values: [...new Set(rows.map((r) => r.x))], ...(o.xFormat ? { format: o.xFormat } : {}) },
  };
  const yScale = o.yDomain ? { domain: o.yDomain, zero: false, nice: false } : { zero: false };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: o.yTitle,
    scale: yScale,
    ...(o.yFormat ? { axis: { format: o.yFormat } } : {}),
  };
  const color = { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 600 } };
  const layers: unknown[] = [
    {
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color },
    },
    { mark: { type: 'line', point: true }, encoding: { x, y, color } },
  ];
  if (o.reference !== undefined)
    layers.unshift({
      mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
      encoding: { y: { datum: o.reference, type: 'quantitative', scale: yScale } },
    });
  const inner = { width: o.width ?? 220, height: o.height ?? 200, layer: layers };
  const spec = rows.some((r) => r.facet !== undefined)
    ? {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        config: baseConfig(),
        data: { values: rows },
        facet: {
          column: {
            field: 'facet',
            type: 'ordinal',
            title: o.facetTitle ?? null,
            sort: [...new Set(rows.map((r) => r.facet))],
          },
        },
        spec: inner,
        ...(o.independentY ? { resolve: { scale: { y: 'independent' } } } : {}),
      }
    : {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        config: baseConfig(),
        data: { values: rows },
        ...inner,
      };
  return spec as unknown as TopLevelSpec;
}

export const pct = (x: number, d = 1) => `${(100 * x).toFixed(d)}%`;

/**
 * A qualitative statement the prose makes about a computed result: returns `text` when `holds`, and
 * otherwise stops the notebook, so that a change in the engine or the data can never leave a report
 * saying something its own numbers contradict.
 */
export function check(holds: boolean, text: string): string {
  if (!holds) throw new Error(`notebook statement no longer supported by its numbers: "${text}"`);
  return text;
}

/** A Monte Carlo estimate as "x (± 1.96·SE)" in percent. */
export const pctPm = (m: { estimate: number; se: number }, d = 1) =>
  `${(100 * m.estimate).toFixed(d)}% (± ${(196 * m.se).toFixed(d)})`;

/**
 * A dot plot with Monte Carlo 95% intervals: one row per category (top to bottom in the given order),
 * a point per series, optionally faceted in columns.
 */
export function dotChart(
  rows: readonly { cat: string; y: number; lo: number; hi: number; series: string; facet?: string }[],
  o: { xTitle: string; yTitle?: string; xFormat?: string; reference?: number; width?: number; facetTitle?: string },
): TopLevelSpec {
  const order = [...new Set(rows.map((r) => r.cat))];
  const y = { field: 'cat', type: 'nominal', title: o.yTitle ?? null, sort: order, axis: { labelLimit: 600 } };
  const xScale = { zero: false };
  const x = {
    field: 'y',
    type: 'quantitative',
    title: o.xTitle,
    scale: xScale,
    ...(o.xFormat ? { axis: { format: o.xFormat } } : {}),
  };
  const color = { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 600 } };
  const offset = { field: 'series', type: 'nominal' };
  const layers: unknown[] = [
    {
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: {
        y,
        yOffset: offset,
        x: { field: 'lo', type: 'quantitative', scale: xScale },
        x2: { field: 'hi' },
        color,
      },
    },
    { mark: { type: 'point', filled: true, size: 45 }, encoding: { y, yOffset: offset, x, color } },
  ];
  if (o.reference !== undefined)
    layers.unshift({
      mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
      encoding: { x: { datum: o.reference, type: 'quantitative', scale: xScale } },
    });
  const inner = { width: o.width ?? 260, height: { step: 22 }, layer: layers };
  const spec = rows.some((r) => r.facet !== undefined)
    ? {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        config: baseConfig(),
        data: { values: rows },
        facet: {
          column: {
            field: 'facet',
            type: 'ordinal',
            title: o.facetTitle ?? null,
            sort: [...new Set(rows.map((r) => r.facet))],
          },
        },
        spec: inner,
      }
    : {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        config: baseConfig(),
        data: { values: rows },
        ...inner,
      };
  return spec as unknown as TopLevelSpec;
}
