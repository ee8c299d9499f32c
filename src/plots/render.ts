/**
 * Headless rendering (Node only): vega-lite spec → vega → SVG (View.toSVG with renderer "none") → PNG
 * (resvg). Fonts come from the dejavu-fonts-ttf package, so rendering needs no system fonts. vega,
 * vega-lite, resvg and the fonts are loaded on the first render, not when this module is imported.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FONT } from './theme.ts';

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

/** Converts SVG to PNG at `scale` × the SVG size, with DejaVu Sans as the font. */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const [{ Resvg }, fontFiles] = await Promise.all([import('@resvg/resvg-js'), fonts()]);
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}

/** Renders to SVG or PNG. */
export async function renderToBuffer(spec: TopLevelSpec, format: 'svg' | 'png'): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  return format === 'svg' ? new TextEncoder().encode(svg) : svgToPng(svg);
}
