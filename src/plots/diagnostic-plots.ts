/**
 * Funnel, Baujat, L'Abbé and bubble plots as vega-lite specs. Pure: results in, spec out; every
 * statistic (contours, leave-one-out influence, regression bands) comes from diagnostics/ or analysis/.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RegressionBand } from '../analysis/regression.ts';
import type { BaujatPoints } from '../diagnostics/baujat.ts';
import type { FunnelData } from '../diagnostics/funnel.ts';
import { baseConfig, THEME } from './theme.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const q = (field: string, title: string, extra: Record<string, unknown> = {}) => ({
  field,
  type: 'quantitative' as const,
  title,
  ...extra,
});

/** Funnel plot: effects against SE (inverted axis), pseudo-CI triangle(s) and the centre line; filled (imputed) studies hollow. */
export function funnelSpec(
  d: FunnelData,
  o: {
    title?: string;
    xTitle: string;
    labels: readonly string[];
    filled?: { yi: ArrayLike<number>; sei: ArrayLike<number> };
  },
): TopLevelSpec {
  const points = Array.from(d.yi, (y, i) => ({
    y,
    se: d.sei[i] as number,
    label: o.labels[i] ?? '',
    kind: 'observed',
  }));
  const filled = o.filled
    ? Array.from({ length: o.filled.yi.length }, (_, i) => ({
        y: o.filled?.yi[i] as number,
        se: o.filled?.sei[i] as number,
        label: 'filled',
        kind: 'filled',
      }))
    : [];
  // region edges: centre ± z·se at se = 0 and se = seMax
  const regions = d.contours.flatMap((c) => [
    { level: `${c.level}%`, se: 0, lo: d.centre, hi: d.centre },
    { level: `${c.level}%`, se: d.seMax, lo: d.centre - c.z * d.seMax, hi: d.centre + c.z * d.seMax },
  ]);
  const yEnc = q('se', 'Standard error', { scale: { reverse: true, domain: [0, d.seMax], nice: false } });
  return {
    $schema: SCHEMA,
    config: baseConfig(),
    width: 420,
    height: 340,
    ...(o.title ? { title: o.title } : {}),
    layer: [
      {
        data: { values: regions },
        mark: { type: 'area', orient: 'horizontal', opacity: 0.12, color: THEME.muted },
        encoding: { y: yEnc, x: q('lo', o.xTitle), x2: { field: 'hi' }, detail: { field: 'level' } },
      },
      {
        data: { values: regions },
        mark: { type: 'line', strokeDash: [4, 3], color: THEME.muted },
        encoding: { y: yEnc, x: q('lo', o.xTitle), detail: { field: 'level' } },
      },
      {
        data: { values: regions },
        mark: { type: 'line', strokeDash: [4, 3], color: THEME.muted },
        encoding: { y: yEnc, x: q('hi', o.xTitle), detail: { field: 'level' } },
      },
      {
        data: { values: [{ c: d.centre }] },
        mark: { type: 'rule', color: THEME.ink },
        encoding: { x: q('c', o.xTitle) },
      },
      {
        data: { values: [...points, ...filled] },
        mark: { type: 'point', size: 40, strokeWidth: 1.2 },
        encoding: {
          x: q('y', o.xTitle),
          y: yEnc,
          fill: { condition: { test: "datum.kind === 'observed'", value: THEME.square }, value: 'white' },
          color: { value: THEME.square },
          opacity: { value: 1 },
          tooltip: [{ field: 'label' }, { field: 'y', format: '.3f' }, { field: 'se', format: '.3f' }],
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Baujat plot: contribution to heterogeneity (x) against influence on the pooled result (y), labelled. */
export function baujatSpec(b: BaujatPoints, labels: readonly string[], title?: string): TopLevelSpec {
  const values = Array.from(b.x, (x, i) => ({ x, y: b.y[i] as number, label: labels[i] ?? String(i + 1) }));
  return {
    $schema: SCHEMA,
    config: baseConfig(),
    width: 420,
    height: 340,
    ...(title ? { title } : {}),
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, color: THEME.square, size: 40 },
        encoding: { x: q('x', 'Contribution to overall heterogeneity'), y: q('y', 'Influence on overall result') },
      },
      {
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 9, color: THEME.ink },
        encoding: { x: q('x', ''), y: q('y', ''), text: { field: 'label' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** L'Abbé plot: event rate in the treatment arm against the control arm, bubbles sized by study size, with the line of no effect. */
export function labbeSpec(
  rates: { p1: ArrayLike<number>; p2: ArrayLike<number>; n: ArrayLike<number> },
  labels: readonly string[],
  o: { title?: string; arms?: readonly [string, string] } = {},
): TopLevelSpec {
  const values = Array.from({ length: rates.p1.length }, (_, i) => ({
    p1: rates.p1[i] as number,
    p2: rates.p2[i] as number,
    n: rates.n[i] as number,
    label: labels[i] ?? '',
  }));
  const [a1, a2] = o.arms ?? ['Treatment', 'Control'];
  const axis = { scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  return {
    $schema: SCHEMA,
    config: baseConfig(),
    width: 360,
    height: 360,
    ...(o.title ? { title: o.title } : {}),
    layer: [
      {
        data: {
          values: [
            { a: 0, b: 0 },
            { a: 1, b: 1 },
          ],
        },
        mark: { type: 'line', color: THEME.muted, strokeDash: [4, 3] },
        encoding: { x: q('a', `${a2} event rate`, axis), y: q('b', `${a1} event rate`, axis) },
      },
      {
        data: { values },
        mark: { type: 'circle', color: THEME.square, opacity: 0.6, stroke: THEME.ink, strokeWidth: 0.5 },
        encoding: {
          x: q('p2', `${a2} event rate`, axis),
          y: q('p1', `${a1} event rate`, axis),
          size: { field: 'n', type: 'quantitative', legend: null, scale: { range: [20, 600] } },
          tooltip: [{ field: 'label' }],
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Bubble plot of a meta-regression: effects against the moderator, bubbles by weight, the fitted line with CI and PI bands. */
export function bubbleSpec(
  points: readonly { x: number; y: number; weight: number; label: string }[],
  bands: readonly RegressionBand[],
  o: { xTitle: string; yTitle: string; title?: string },
): TopLevelSpec {
  const band = bands.map((b) => ({ ...b }));
  // moderators are often years: no thousands separator on the axis ("2004", not "2,004")
  const x = q('x', o.xTitle, { axis: { format: '~r' } });
  const hasPi = bands.every((b) => b.piLower !== null);
  return {
    $schema: SCHEMA,
    config: baseConfig(),
    width: 460,
    height: 340,
    ...(o.title ? { title: o.title } : {}),
    layer: [
      ...(hasPi
        ? [
            {
              data: { values: band },
              mark: { type: 'area', color: THEME.prediction, opacity: 0.08 },
              encoding: { x, y: q('piLower', o.yTitle), y2: { field: 'piUpper' } },
            },
          ]
        : []),
      {
        data: { values: band },
        mark: { type: 'area', color: THEME.square, opacity: 0.18 },
        encoding: { x, y: q('ciLower', o.yTitle), y2: { field: 'ciUpper' } },
      },
      {
        data: { values: band },
        mark: { type: 'line', color: THEME.ink },
        encoding: { x, y: q('pred', o.yTitle) },
      },
      {
        data: { values: points },
        mark: { type: 'circle', color: THEME.square, opacity: 0.55, stroke: THEME.ink, strokeWidth: 0.5 },
        encoding: {
          x,
          y: q('y', o.yTitle),
          size: { field: 'weight', type: 'quantitative', legend: null, scale: { range: [20, 500] } },
          tooltip: [{ field: 'label' }],
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** GOSH plot: each subset's pooled estimate against its I², as a dense scatter (at most `maxPoints`, evenly thinned). */
export function goshSpec(
  estimate: ArrayLike<number>,
  I2: ArrayLike<number>,
  o: { xTitle: string; title?: string; maxPoints?: number },
): TopLevelSpec {
  const n = estimate.length,
    max = o.maxPoints ?? 50_000;
  const step = Math.max(1, Math.ceil(n / max));
  const values: { e: number; i2: number }[] = [];
  for (let i = 0; i < n; i += step) values.push({ e: estimate[i] as number, i2: I2[i] as number });
  return {
    $schema: SCHEMA,
    config: baseConfig(),
    width: 440,
    height: 340,
    ...(o.title ? { title: o.title } : {}),
    data: { values },
    mark: { type: 'circle', size: 6, opacity: 0.25, color: THEME.square },
    encoding: {
      x: q('e', o.xTitle, { scale: { zero: false } }),
      y: q('i2', 'I² (%)', { scale: { domain: [0, 100] } }),
    },
  } as unknown as TopLevelSpec;
}
