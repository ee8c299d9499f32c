/**
 * A tiny literate-notebook helper: each notebook builds a Markdown report with prose, tables and
 * SVG figures, written to notebooks/out/. Numbers in the prose come from the engine's results.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../src/plots/render.ts';

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

export class Notebook {
  private readonly parts: string[] = [];
  constructor(
    readonly name: string,
    readonly title: string,
    readonly file: string,
  ) {
    mkdirSync(join(OUT, name), { recursive: true });
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
    writeFileSync(join(OUT, this.name, file), await renderSvg(spec));
    this.parts.push(`![${caption}](${this.name}/${file})`, '', `*${caption}*`, '');
    return this;
  }
  save(): void {
    this.parts.push(
      '---',
      '',
      `Made by \`npx tsx notebooks/${this.file}\` (or \`npm run notebooks\`) with evsynth ${pkg.version}, Node ${process.version}, vega-lite ${pkg.dependencies['vega-lite']}, vega ${pkg.dependencies['vega']}.`,
    );
    writeFileSync(join(OUT, `${this.name}.md`), this.parts.join('\n') + '\n');
    process.stdout.write(`wrote notebooks/out/${this.name}.md\n`);
  }
}

export const f2 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? 'NA' : x.toFixed(2);
export const f3 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? 'NA' : x.toFixed(3);
