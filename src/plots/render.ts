/**
 * Headless rendering (Node only): vega-lite spec → vega → SVG (View.toSVG with renderer "none") → PNG
 * (resvg). Fonts come from the dejavu-fonts-ttf package, so rendering needs no system fonts. vega,
 * vega-lite, resvg and the fonts are loaded on the first render, not when this module is imported. Text
 * that DejaVu Sans cannot draw (CJK, for one) is named in a warning; PNGs are capped in size.
 */
import type { TopLevelSpec } from 'vega-lite';
import { specWarnings } from './spec-warnings.ts';
import { FONT } from './theme.ts';

/** The largest PNG drawn: 40 megapixels; a larger plot is drawn at a smaller scale. */
const MAX_PNG_PIXELS = 40e6;

let fontFiles: string[] | undefined;
async function fonts(): Promise<string[]> {
  if (fontFiles) return fontFiles;
  const [{ createRequire }, { dirname, join }] = await Promise.all([import('node:module'), import('node:path')]);
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  fontFiles = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(dir, f));
  return fontFiles;
}

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG's size in px from its width and height attributes (0 when absent). */
function svgSize(svg: string): { width: number; height: number } {
  const head = svg.slice(0, 400);
  const w = /\bwidth="([\d.]+)"/.exec(head),
    h = /\bheight="([\d.]+)"/.exec(head);
  return { width: w ? Number(w[1]) : 0, height: h ? Number(h[1]) : 0 };
}

/**
 * Converts SVG to PNG at `scale` × the SVG size, with DejaVu Sans as the font. The scale is lowered so the
 * image has at most 40 megapixels (memory and time stay bounded for any plot).
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const [{ Resvg }, fontFiles] = await Promise.all([import('@resvg/resvg-js'), fonts()]);
  const { width, height } = svgSize(svg);
  const area = width * height * scale * scale;
  const zoom = area > MAX_PNG_PIXELS ? scale * Math.sqrt(MAX_PNG_PIXELS / area) : scale;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}

let covered: Set<number> | undefined;

/** The code points DejaVu Sans has glyphs for, from its cmap table (formats 4 and 12). */
async function fontCoverage(): Promise<Set<number>> {
  if (covered) return covered;
  const [{ readFileSync }, files] = await Promise.all([import('node:fs'), fonts()]);
  const b = readFileSync(files[0] as string);
  const u16 = (o: number) => b.readUInt16BE(o),
    u32 = (o: number) => b.readUInt32BE(o);
  const set = new Set<number>();
  let cmap = -1;
  for (let i = 0; i < u16(4); i++)
    if (b.toString('latin1', 12 + 16 * i, 16 + 16 * i) === 'cmap') cmap = u32(20 + 16 * i);
  if (cmap < 0) return (covered = set);
  for (let i = 0; i < u16(cmap + 2); i++) {
    const sub = cmap + u32(cmap + 8 + 8 * i);
    const format = u16(sub);
    if (format === 4) {
      const segs = u16(sub + 6) / 2;
      const ends = sub + 14,
        starts = ends + 2 * segs + 2,
        deltas = starts + 2 * segs,
        offsets = deltas + 2 * segs;
      for (let s = 0; s < segs; s++) {
        const end = u16(ends + 2 * s),
          start = u16(starts + 2 * s),
          delta = u16(deltas + 2 * s),
          ro = u16(offsets + 2 * s);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          const g = ro === 0 ? (c + delta) & 0xffff : u16(offsets + 2 * s + ro + 2 * (c - start));
          if (g !== 0) set.add(c);
        }
      }
    } else if (format === 12) {
      for (let g = 0; g < u32(sub + 12); g++) {
        const start = u32(sub + 16 + 12 * g),
          end = u32(sub + 20 + 12 * g);
        for (let c = start; c <= end; c++) set.add(c);
      }
    }
  }
  return (covered = set);
}

/** Characters of the SVG's text that the bundled font cannot draw (they would show as empty boxes in a PNG). */
async function missingGlyphs(svg: string): Promise<string[]> {
  const cov = await fontCoverage();
  const missing = new Set<string>();
  for (const m of svg.matchAll(/>([^<]+)</g))
    for (const ch of m[1] as string) {
      const c = ch.codePointAt(0) as number;
      if (c > 0x7e && !cov.has(c) && !/\s/.test(ch)) missing.add(ch);
    }
  return [...missing];
}

/** A rendered plot and what the reader should know about it (characters the font lacks, a reduced scale). */
export interface RenderedPlot {
  readonly data: Uint8Array;
  readonly warnings: readonly string[];
}

/**
 * Renders to SVG or PNG, with warnings: the spec's own (studies a forest plot does not draw), characters
 * the PNG font cannot draw, a PNG drawn at a reduced scale.
 */
export async function renderPlot(spec: TopLevelSpec, format: 'svg' | 'png'): Promise<RenderedPlot> {
  const svg = await renderSvg(spec);
  // what the spec itself says the reader should know (a forest plot that does not draw every study)
  const warnings = [...specWarnings(spec)];
  if (format === 'svg') return { data: new TextEncoder().encode(svg), warnings };
  const missing = await missingGlyphs(svg);
  if (missing.length > 0)
    warnings.push(
      `the PNG font (DejaVu Sans) has no glyphs for ${missing.length} character${missing.length === 1 ? '' : 's'} (${missing
        .slice(0, 12)
        .map((c) => `${c} U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`)
        .join(
          ', ',
        )}${missing.length > 12 ? ', …' : ''}): they show as empty boxes; write an SVG (--out x.svg), which the browser draws with its own fonts`,
    );
  const { width, height } = svgSize(svg);
  if (width * height * 4 > MAX_PNG_PIXELS)
    warnings.push(
      `the plot is ${Math.round(width)} × ${Math.round(height)} px: the PNG is drawn at ${Math.sqrt(MAX_PNG_PIXELS / (width * height)).toFixed(2)}× instead of 2× (at most 40 megapixels); an SVG keeps every detail`,
    );
  return { data: await svgToPng(svg), warnings };
}

/** Renders to SVG or PNG. */
export async function renderToBuffer(spec: TopLevelSpec, format: 'svg' | 'png'): Promise<Uint8Array> {
  return (await renderPlot(spec, format)).data;
}
