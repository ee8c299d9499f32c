/** Fonts, colours and sizes shared by every plot. */
export const FONT = 'DejaVu Sans';
export const THEME = {
  font: FONT,
  fontSize: 11,
  rowHeight: 18,
  ink: '#222222',
  muted: '#666666',
  square: '#2b6ca3',
  diamond: '#111111',
  prediction: '#b03a2e',
  grid: '#bbbbbb',
} as const;

/** The vega-lite config that sets the font everywhere (resvg falls back to a serif face otherwise). */
export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    view: { stroke: null },
    axis: {
      labelFont: FONT,
      titleFont: FONT,
      labelFontSize: THEME.fontSize,
      titleFontSize: THEME.fontSize,
      labelColor: THEME.ink,
      titleColor: THEME.ink,
    },
    text: { font: FONT, fontSize: THEME.fontSize, color: THEME.ink },
    title: { font: FONT, fontSize: 13, anchor: 'start' },
    legend: { labelFont: FONT, titleFont: FONT },
    concat: { spacing: 0 },
  };
}
