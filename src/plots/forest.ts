/**
 * Forest plot as a vega-lite spec, in the Cochrane/RevMan layout: study labels and data columns on
 * the left; squares sized by weight with CI lines (clipped with an arrow at the axis ends), subgroup
 * and overall diamonds, the prediction-interval bar and a line at the null in the middle; the effect
 * with its CI and the weight as text on the right; heterogeneity and test lines under each diamond;
 * "Favours …" labels under the axis. Ratio measures use a log axis with back-transformed labels.
 * Pure: ForestInput → spec; no statistics are computed here.
 */
import type { TopLevelSpec } from 'vega-lite';
import { EvsynthError } from '../core/errors.ts';
import { formatNumber, STUDY_ROWS_SHOWN } from '../core/format.ts';
import { measureLabel } from '../effects/registry.ts';
import type { ForestInput, ForestSummary } from './forest-data.ts';
import { baseConfig, THEME } from './theme.ts';

interface Row {
  row: number;
  kind: 'header' | 'group' | 'study' | 'summary' | 'prediction' | 'note' | 'favours';
  label: string;
  cols: string[];
  effectText: string;
  weightText: string;
  est: number | null;
  lo: number | null;
  hi: number | null;
  weight: number | null;
  bold: boolean;
  /** Risk-of-bias judgements of a study row (empty elsewhere). */
  rob: readonly (string | null)[];
}

export interface ForestSpecOptions {
  /** Total width in pixels (default 900). */
  readonly width?: number;
  /** x-axis limits on the plotted (natural) scale; default from the CIs. */
  readonly xLimits?: readonly [number, number];
  /**
   * Study rows drawn at most (default {@link FOREST_MAX_STUDIES}); the others are counted in a note on the
   * plot and in the spec's `usermeta.warnings`. The pooled results always include every study.
   */
  readonly maxStudies?: number;
}

const CHAR = 6.6; // approximate width of a DejaVu Sans character at 11 px
/**
 * Study rows a forest plot draws by default; beyond, a note on the plot and a warning count the others
 * (a 2,000-row PNG took 26 s and 1.3 GB). Cochrane reviews' forest plots rarely have more than 100 rows.
 */
const FOREST_MAX_STUDIES = STUDY_ROWS_SHOWN;
/** Label and column text longer than this is shortened with an ellipsis (the full text stays in the data). */
const MAX_LABEL_CHARS = 60,
  MAX_COLUMN_CHARS = 30;

/** `s` cut to `n` characters (whole code points) with an ellipsis. */
function shorten(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

/** One row of a forest plot's layout: its text, its numbers on the analysis and the plotted scale, and its RoB fields. */
export type ForestLayoutRow = Row & {
  /** Estimate and CI ends on the plotted (natural) scale, CI ends clipped to the axis. */
  readonly estP: number | null;
  readonly loP: number | null;
  readonly hiP: number | null;
  readonly arrowLeft: boolean;
  readonly arrowRight: boolean;
  readonly inRange: boolean;
  readonly c0: string;
  readonly c1: string;
  readonly c2: string;
  readonly c3: string;
} & Readonly<Record<string, unknown>>;

/**
 * The geometry of a forest plot in pixels and plotted-scale values: the one layout that {@link forestSpec}
 * turns into vega-lite and that other painters (the web explorer's fast redraw) draw as is.
 */
export interface ForestLayout {
  readonly input: ForestInput;
  readonly rows: readonly ForestLayoutRow[];
  readonly rowHeight: number;
  /** Width of the label and data-column panel, and the right edge (x) of each data column's text. */
  readonly leftWidth: number;
  readonly columnX: readonly number[];
  readonly forestWidth: number;
  /** Width of the effect and weight panel, and of its weight column. */
  readonly rightWidth: number;
  readonly weightWidth: number;
  /** Width of the risk-of-bias panel (0 without one) and of one of its cells. */
  readonly robWidth: number;
  readonly robCell: number;
  readonly height: number;
  /** x-axis limits on the plotted scale (log axis for ratio measures). */
  readonly xDomain: readonly [number, number];
  readonly nullValue: number;
  readonly axisTitle: string;
  /** Summary diamonds: three points each (lo, estimate, hi) on the plotted scale. */
  readonly diamonds: readonly { readonly id: number; readonly x: number; readonly y: number; readonly y2: number }[];
  /** The last row that the null line reaches. */
  readonly lastForestRow: number;
  /** The largest study weight (the square sizes' scale). */
  readonly maxWeight: number;
  /** Square area range in px² for weights 0 … maxWeight. */
  readonly squareArea: readonly [number, number];
  /** What the plot leaves out (studies beyond `maxStudies`), for the user: the spec's `usermeta.warnings`. */
  readonly warnings: readonly string[];
}

/** The forest plot's layout (see {@link ForestLayout}); pure, computes no statistic. */
export function forestLayout(input: ForestInput, options: ForestSpecOptions = {}): ForestLayout {
  const t = (x: number) => (input.ratio ? Math.exp(x) : x);
  const fmt = (x: number | null) => (x === null ? '' : formatNumber(t(x), input.digits));
  const ci = (est: number, lo: number, hi: number) => `${fmt(est)} [${fmt(lo)}, ${fmt(hi)}]`;
  const rows: Row[] = [];
  const add = (r: Omit<Row, 'row'>) => rows.push({ row: rows.length, ...r });
  const blank = {
    cols: [] as string[],
    effectText: '',
    weightText: '',
    est: null,
    lo: null,
    hi: null,
    weight: null,
    bold: false,
    rob: [] as readonly (string | null)[],
  };
  add({
    ...blank,
    kind: 'header',
    label: 'Study or subgroup',
    cols: [...input.columnHeaders],
    effectText: `${measureLabel(input.measure)} [${input.level}% CI]`,
    weightText: input.weightHeader,
    bold: true,
  });
  const summaryRows = (s: ForestSummary) => {
    add({
      ...blank,
      kind: 'summary',
      label: s.label,
      effectText: ci(s.est, s.lo, s.hi),
      weightText: s.weight === null ? '' : `${formatNumber(s.weight, 1)}%`,
      est: s.est,
      lo: s.lo,
      hi: s.hi,
      bold: true,
    });
    if (s.piLo !== null && s.piHi !== null && Number.isFinite(s.piLo)) {
      add({
        ...blank,
        kind: 'prediction',
        label: s.piLabel ? `Prediction interval (${s.piLabel})` : 'Prediction interval',
        effectText: `[${fmt(s.piLo)}, ${fmt(s.piHi)}]`,
        lo: s.piLo,
        hi: s.piHi,
      });
    }
    for (const n of s.notes) add({ ...blank, kind: 'note', label: n });
  };
  // very many studies: the first maxStudies (in the plot's order) are drawn, the rest counted in a note per group
  const maxStudies = options.maxStudies ?? FOREST_MAX_STUDIES;
  if (!(Number.isInteger(maxStudies) && maxStudies >= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `forestSpec: maxStudies is ${maxStudies}; expected a whole number ≥ 1`);
  let budget = maxStudies;
  const totalStudies = input.groups.reduce((n, g) => n + g.studies.length, 0);
  const notDrawn = Math.max(0, totalStudies - maxStudies);
  // subgroups none of whose studies is drawn (the budget spent before them) are one note, not a title, a note
  // and summary rows each: a plot of 1,000 subgroups stays the size of its drawn studies (issue 14: PNG in
  // bounded time)
  let groupsNotDrawn = 0,
    studiesInGroupsNotDrawn = 0;
  for (const g of input.groups) {
    if (budget <= 0 && g.title !== null) {
      groupsNotDrawn++;
      studiesInGroupsNotDrawn += g.studies.length;
      continue;
    }
    if (g.title !== null) add({ ...blank, kind: 'group', label: g.title, bold: true });
    const shown = g.studies.slice(0, Math.max(0, budget));
    budget -= shown.length;
    const hidden = g.studies.length - shown.length;
    for (const s of shown) {
      add({
        ...blank,
        kind: 'study',
        label: s.label,
        cols: [...s.columns],
        effectText: ci(s.est, s.lo, s.hi),
        weightText: Number.isFinite(s.weight) ? `${formatNumber(s.weight, 1)}%` : '',
        est: s.est,
        lo: s.lo,
        hi: s.hi,
        weight: Number.isFinite(s.weight) ? s.weight : 1,
        rob: s.rob ?? [],
      });
    }
    if (hidden > 0)
      add({
        ...blank,
        kind: 'note',
        label: `… ${hidden.toLocaleString('en')} more stud${hidden === 1 ? 'y' : 'ies'} not drawn (the plot draws ${maxStudies.toLocaleString('en')} of ${totalStudies.toLocaleString('en')} studies; the pooled results are of all ${totalStudies.toLocaleString('en')})`,
      });
    if (g.summary) summaryRows(g.summary);
    if (g.title !== null) add({ ...blank, kind: 'note', label: '' });
  }
  if (groupsNotDrawn > 0)
    add({
      ...blank,
      kind: 'note',
      label: `… ${groupsNotDrawn.toLocaleString('en')} more subgroup${groupsNotDrawn === 1 ? '' : 's'} (${studiesInGroupsNotDrawn.toLocaleString('en')} stud${studiesInGroupsNotDrawn === 1 ? 'y' : 'ies'}) not drawn (the plot draws ${maxStudies.toLocaleString('en')} of ${totalStudies.toLocaleString('en')} studies; the pooled results are of all ${totalStudies.toLocaleString('en')})`,
    });
  if (groupsNotDrawn > 0) add({ ...blank, kind: 'note', label: '' });
  if (input.overall) summaryRows(input.overall);
  for (const f of input.footer) add({ ...blank, kind: 'note', label: f });
  for (const f of input.rob?.legend ?? []) add({ ...blank, kind: 'note', label: f });
  const n = rows.length;
  // x domain on the plotted scale
  const ends = rows
    .filter((r) => r.kind === 'study' || r.kind === 'summary')
    .flatMap((r) => [r.lo as number, r.hi as number])
    .filter(Number.isFinite)
    .map(t);
  const nullValue = input.ratio ? 1 : 0;
  let [xmin, xmax] = options.xLimits ?? niceLimits(ends, nullValue, input.ratio);
  if (!(xmin < xmax)) [xmin, xmax] = input.ratio ? [0.1, 10] : [-1, 1];
  const clip = (x: number) => Math.min(xmax, Math.max(xmin, x));
  const plotted = rows.map((r) => {
    const lo = r.lo === null ? null : t(r.lo),
      hi = r.hi === null ? null : t(r.hi),
      est = r.est === null ? null : t(r.est);
    const cols = r.cols.map((c) => shorten(c, MAX_COLUMN_CHARS));
    const out = {
      // explicit properties, not a spread of r: a spread copy made the layout of k = 1,000 rows about 5× slower
      row: r.row,
      kind: r.kind,
      label: r.kind === 'note' ? r.label : shorten(r.label, MAX_LABEL_CHARS),
      fullLabel: r.label,
      cols,
      effectText: r.effectText,
      weightText: r.weightText,
      est: r.est,
      lo: r.lo,
      hi: r.hi,
      weight: r.weight,
      bold: r.bold,
      rob: r.rob,
      estP: est,
      loP: lo === null ? null : clip(lo),
      hiP: hi === null ? null : clip(hi),
      arrowLeft: lo !== null && lo < xmin,
      arrowRight: hi !== null && hi > xmax,
      inRange: est !== null && est >= xmin && est <= xmax,
      c0: cols[0] ?? '',
      c1: cols[1] ?? '',
      c2: cols[2] ?? '',
      c3: cols[3] ?? '',
    };
    return input.rob ? { ...out, ...robFields(r, input.rob) } : out;
  });
  const labelChars = Math.max(...plotted.filter((r) => r.kind !== 'note').map((r) => r.label.length), 18);
  const colWidths = input.columnHeaders.map(
    (h, j) => Math.max(h.length, ...plotted.map((r) => (r.cols[j] ?? '').length)) * CHAR + 14,
  );
  const leftWidth = Math.round(labelChars * CHAR + 16 + colWidths.reduce((s, w) => s + w, 0));
  const weightWidth = Math.round(Math.max(62, input.weightHeader.length * 7.4 + 18)); // bold header text is wider than CHAR
  const rightWidth = Math.round(Math.max(...rows.map((r) => r.effectText.length)) * CHAR + weightWidth + 8);
  const total = options.width ?? 900;
  const robWidth = input.rob ? input.rob.headers.length * ROB_CELL + 8 : 0;
  const forestWidth = Math.max(220, total - leftWidth - rightWidth - robWidth);
  const height = n * THEME.rowHeight;
  // diamonds as areas: 3 points each (lo, est, hi)
  const diamonds = plotted
    .filter((r) => r.kind === 'summary' && r.estP !== null)
    .flatMap((r) => {
      const h = 0.38;
      return [
        { id: r.row, x: clip(t(r.lo as number)), y: r.row, y2: r.row },
        { id: r.row, x: clip(r.estP as number), y: r.row - h, y2: r.row + h },
        { id: r.row, x: clip(t(r.hi as number)), y: r.row, y2: r.row },
      ];
    });
  const studyRows = rows.filter((r) => r.kind === 'study');
  const lastForestRow = Math.max(
    ...rows.filter((r) => r.kind === 'study' || r.kind === 'summary' || r.kind === 'prediction').map((r) => r.row),
    1,
  );
  const maxW = Math.max(...studyRows.map((r) => r.weight ?? 0), 1);
  let cx = labelChars * CHAR + 16;
  const columnX = colWidths.map((w) => {
    const x = cx + w - 8;
    cx += w;
    return x;
  });
  return {
    input,
    rows: plotted,
    rowHeight: THEME.rowHeight,
    leftWidth,
    columnX,
    forestWidth,
    rightWidth,
    weightWidth,
    robWidth,
    robCell: ROB_CELL,
    height,
    xDomain: [xmin, xmax],
    nullValue,
    axisTitle: measureLabel(input.measure) + (input.ratio ? ' (log scale)' : ''),
    diamonds,
    lastForestRow,
    maxWeight: maxW,
    squareArea: [6, 160],
    warnings:
      notDrawn > 0
        ? [
            `the forest plot draws ${maxStudies.toLocaleString('en')} of ${totalStudies.toLocaleString('en')} studies (${notDrawn.toLocaleString('en')} not drawn, counted in a note on the plot${groupsNotDrawn > 0 ? `, as are ${groupsNotDrawn.toLocaleString('en')} subgroups none of whose studies is drawn` : ''}; the pooled results are of all ${totalStudies.toLocaleString('en')}); --max-studies draws more, --sort weight draws the heaviest`,
          ]
        : [],
  };
}

/** The forest plot of `input` as a vega-lite spec, drawn from its {@link forestLayout}. */
export function forestSpec(input: ForestInput, options: ForestSpecOptions = {}): TopLevelSpec {
  const L = forestLayout(input, options);
  const { leftWidth, forestWidth, rightWidth, weightWidth, height, nullValue, diamonds, lastForestRow } = L;
  const [xmin, xmax] = L.xDomain;
  const n = L.rows.length;
  const maxW = L.maxWeight;
  const y = {
    field: 'row',
    type: 'quantitative' as const,
    scale: { domain: [n - 0.5, -0.5], nice: false, zero: false },
    axis: null,
  };
  const values = L.rows;
  // vega-lite has no per-datum font weight channel: bold and normal rows are two layers
  const textLayer = (
    field: string,
    x: number,
    align: 'left' | 'right',
    filter: string,
    extra: Record<string, unknown> = {},
  ) =>
    [false, true].map((bold) => ({
      mark: {
        type: 'text' as const,
        align,
        baseline: 'middle' as const,
        fontWeight: bold ? 'bold' : 'normal',
        ...extra,
      },
      transform: [{ filter }, { filter: bold ? 'datum.bold' : '!datum.bold' }],
      encoding: { y, x: { value: x }, text: { field, type: 'nominal' as const } },
    }));
  const columnLayers = L.columnX
    .map((x, j) => textLayer(`c${j}`, x, 'right', "datum.kind === 'study' || datum.kind === 'header'"))
    .flat();
  const xScale = input.ratio
    ? { type: 'log' as const, domain: [xmin, xmax], nice: false }
    : { domain: [xmin, xmax], nice: false, zero: false };
  // every layer carries the same axis definition (vega-lite merges the axes of a layer's views)
  const axis = {
    title: L.axisTitle,
    grid: false,
    tickCount: 7,
    ...(input.ratio ? { format: '~g' } : {}),
  };
  const x = (field: string) => ({ field, type: 'quantitative' as const, scale: xScale, axis });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(input.title ? { title: { text: input.title } } : {}),
    ...(L.warnings.length > 0 ? { usermeta: { warnings: L.warnings } } : {}),
    config: baseConfig(),
    // lay panels out by their declared sizes: note lines may run on under the forest
    bounds: 'flush',
    data: { values },
    resolve: { scale: { y: 'shared' } },
    spacing: 0,
    hconcat: [
      {
        width: leftWidth,
        height,
        layer: [
          ...textLayer('label', 4, 'left', "datum.kind !== 'note'"),
          ...textLayer('label', 4, 'left', "datum.kind === 'note'", { fontSize: 10, color: THEME.muted }),
          ...columnLayers,
        ],
      },
      {
        width: forestWidth,
        height,
        layer: [
          {
            data: { values: [{ x: nullValue, y: 0.5, y2: lastForestRow + 0.5 }] },
            mark: { type: 'rule', color: THEME.grid },
            encoding: {
              x: x('x'),
              y: { field: 'y', type: 'quantitative', scale: y.scale, axis: null },
              y2: { field: 'y2' },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'study' && datum.loP !== null" }],
            mark: { type: 'rule', color: THEME.ink },
            encoding: { y, x: x('loP'), x2: { field: 'hiP' } },
          },
          {
            transform: [{ filter: "datum.kind === 'prediction'" }],
            mark: { type: 'rule', color: THEME.prediction, strokeWidth: 3 },
            encoding: { y, x: x('loP'), x2: { field: 'hiP' } },
          },
          {
            transform: [{ filter: 'datum.arrowLeft' }, { filter: "datum.kind !== 'summary'" }],
            mark: { type: 'point', shape: 'triangle-left', filled: true, size: 40, color: THEME.ink },
            encoding: { y, x: x('loP') },
          },
          {
            transform: [{ filter: 'datum.arrowRight' }, { filter: "datum.kind !== 'summary'" }],
            mark: { type: 'point', shape: 'triangle-right', filled: true, size: 40, color: THEME.ink },
            encoding: { y, x: x('hiP') },
          },
          {
            transform: [{ filter: "datum.kind === 'study' && datum.inRange" }],
            mark: { type: 'square', filled: true, color: THEME.square, opacity: 1 },
            encoding: {
              y,
              x: x('estP'),
              size: {
                field: 'weight',
                type: 'quantitative',
                scale: { domain: [0, maxW], range: [...L.squareArea] },
                legend: null,
              },
            },
          },
          {
            data: { values: diamonds },
            mark: { type: 'area', color: THEME.diamond, orient: 'vertical', interpolate: 'linear' },
            encoding: {
              detail: { field: 'id', type: 'nominal' },
              x: x('x'),
              y: { field: 'y', type: 'quantitative', scale: y.scale, axis: null },
              y2: { field: 'y2' },
            },
          },
          {
            data: { values: [{ x: nullValue, label: input.favours[0] }] },
            mark: { type: 'text', align: 'right', baseline: 'top', dx: -8, dy: 52, fontSize: 10, color: THEME.muted },
            encoding: {
              x: x('x'),
              y: { datum: n - 0.5, type: 'quantitative', scale: y.scale, axis: null },
              text: { field: 'label' },
            },
          },
          {
            data: { values: [{ x: nullValue, label: input.favours[1] }] },
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 8, dy: 52, fontSize: 10, color: THEME.muted },
            encoding: {
              x: x('x'),
              y: { datum: n - 0.5, type: 'quantitative', scale: y.scale, axis: null },
              text: { field: 'label' },
            },
          },
        ],
      },
      {
        width: rightWidth,
        height,
        layer: [
          ...textLayer('effectText', rightWidth - weightWidth, 'right', "datum.kind !== 'note'"),
          ...textLayer('weightText', rightWidth - 4, 'right', "datum.kind !== 'note'"),
        ],
      },
      ...(input.rob ? [robPanel(input.rob, y, height)] : []),
    ],
  };
  return spec as unknown as TopLevelSpec;
}

const ROB_CELL = 20;

/** Per-row fields of the RoB columns: header text, circle colour and symbol per column. */
function robFields(r: Row, rob: ForestInput['rob']): Record<string, string> {
  if (!rob) return {};
  const out: Record<string, string> = {};
  rob.headers.forEach((h, j) => {
    if (r.kind === 'header') out[`robHead${j}`] = j === rob.headers.length - 1 ? 'All' : h;
    if (r.kind !== 'study') return;
    const level = r.rob[j] ?? 'not assessed';
    out[`robColour${j}`] = rob.colours[level] ?? '#cccccc';
    out[`robSymbol${j}`] = rob.symbols[level] ?? '';
  });
  return out;
}

/** RevMan's risk-of-bias columns: one coloured circle with the judgement's symbol per domain and study. */
function robPanel(rob: NonNullable<ForestInput['rob']>, y: Record<string, unknown>, height: number) {
  const x = (j: number) => ({ value: ROB_CELL / 2 + 4 + j * ROB_CELL });
  return {
    width: rob.headers.length * ROB_CELL + 8,
    height,
    layer: rob.headers.flatMap((_, j) => [
      {
        transform: [{ filter: "datum.kind === 'header'" }],
        mark: { type: 'text', align: 'center', baseline: 'middle', fontWeight: 'bold', fontSize: 10 },
        encoding: { y, x: x(j), text: { field: `robHead${j}`, type: 'nominal' } },
      },
      {
        transform: [{ filter: "datum.kind === 'study'" }],
        mark: {
          type: 'point',
          shape: 'circle',
          filled: true,
          size: 150,
          opacity: 1,
          stroke: '#555555',
          strokeWidth: 0.5,
        },
        encoding: { y, x: x(j), color: { field: `robColour${j}`, type: 'nominal', scale: null } },
      },
      {
        transform: [{ filter: "datum.kind === 'study'" }],
        mark: { type: 'text', align: 'center', baseline: 'middle', fontWeight: 'bold', fontSize: 10, color: '#111111' },
        encoding: { y, x: x(j), text: { field: `robSymbol${j}`, type: 'nominal' } },
      },
    ]),
  };
}

/** Axis limits covering the CIs and the null, rounded outwards; capped so one wild CI cannot flatten the plot. */
function niceLimits(values: readonly number[], nullValue: number, ratio: boolean): [number, number] {
  if (values.length === 0) return ratio ? [0.1, 10] : [-1, 1];
  if (ratio) {
    const logs = values.filter((v) => v > 0).map(Math.log10);
    const lo = Math.max(Math.min(...logs, 0), -3),
      hi = Math.min(Math.max(...logs, 0), 3);
    const m = Math.max(Math.abs(Math.floor(lo * 2) / 2), Math.abs(Math.ceil(hi * 2) / 2), 0.5);
    return [10 ** -m, 10 ** m];
  }
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))] as number;
  // cover the middle 95% of CI ends and the null; longer CIs get arrows
  let lo = Math.min(q(0.025), nullValue),
    hi = Math.max(q(0.975), nullValue);
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span)) / 2;
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const m = Math.max(Math.abs(lo - nullValue), Math.abs(hi - nullValue));
  return [nullValue - m, nullValue + m];
}
