/**
 * Headless rendering: vega-lite spec → vega → SVG (View.toSVG with renderer "none") → PNG (resvg).
 * Fonts come from the dejavu-fonts-ttf package, so rendering needs no system fonts.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT } from './theme.ts';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(FONT_DIR, f));

/** Compiles a vega-lite spec to a vega spec (throws on an invalid spec). */
export function compileSpec(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec;
}

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Converts SVG to PNG at `scale` × the SVG size, with DejaVu Sans as the font. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}

/** Renders to SVG or PNG by file extension. */
export async function renderToBuffer(spec: TopLevelSpec, format: 'svg' | 'png'): Promise<Buffer> {
  const svg = await renderSvg(spec);
  return format === 'svg' ? Buffer.from(svg, 'utf8') : svgToPng(svg);
}
