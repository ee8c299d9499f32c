/**
 * Draws a forest plot's layout (the engine's forestLayout, the same geometry the vega-lite spec of the plot
 * registry is built from) straight into SVG, so that a refit redraws within a frame. Downloads are rendered
 * by vega from the registry's spec, as the CLI renders them. All text goes in as text nodes.
 */
import * as vega from 'vega';
import type { ForestLayout, ForestLayoutRow } from 'evsynth';
import { s } from './dom.ts';

const INK = '#222222';
const MUTED = '#595959';
const FONT = "'DejaVu Sans', 'Verdana', sans-serif";
const TITLE_H = 26;
const AXIS_H = 84;

interface LinearScale {
  (x: number): number;
  ticks(count: number): number[];
  tickFormat(count: number, specifier?: string): (x: number) => string;
  domain(d: readonly number[]): LinearScale;
  range(r: readonly number[]): LinearScale;
}

/** The SVG of a forest layout; `label` names the plot for assistive technology (role="img"). */
export function paintForest(L: ForestLayout, label: string, describedBy?: string): SVGSVGElement {
  const input = L.input;
  const top = input.title ? TITLE_H : 0;
  const n = L.rows.length;
  const width = L.leftWidth + L.forestWidth + L.rightWidth + L.robWidth;
  const height = top + L.height + AXIS_H;
  const rowY = (r: number) => top + (r + 0.5) * L.rowHeight;
  const x0 = L.leftWidth;
  const xs = (vega.scale(input.ratio ? 'log' : 'linear') as () => LinearScale)()
    .domain([...L.xDomain])
    .range([x0, x0 + L.forestWidth]);
  const svg = s('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
    'aria-describedby': describedBy,
    class: 'forest',
    'font-family': FONT,
    'font-size': 11,
    fill: INK,
  });
  svg.append(s('title', {}, label));
  const bg = s('rect', { x: 0, y: 0, width, height, fill: '#ffffff' });
  svg.append(bg);
  if (input.title) svg.append(s('text', { x: 4, y: 17, 'font-size': 13, 'font-weight': 'bold' }, input.title));

  const text = (x: number, y: number, t: string, anchor: 'start' | 'end' | 'middle', row?: ForestLayoutRow) =>
    s(
      'text',
      {
        x: round(x),
        y: round(y),
        'text-anchor': anchor,
        'dominant-baseline': 'central',
        'font-weight': row?.bold ? 'bold' : undefined,
      },
      t,
    );
  const texts = s('g', { class: 'texts' });
  const effectX = L.leftWidth + L.forestWidth + L.rightWidth - L.weightWidth;
  const weightX = L.leftWidth + L.forestWidth + L.rightWidth - 4;
  for (const r of L.rows) {
    const y = rowY(r.row);
    if (r.kind === 'note') {
      if (r.label !== '') {
        const t = text(4, y, r.label, 'start');
        t.setAttribute('font-size', '10');
        t.setAttribute('fill', MUTED);
        texts.append(t);
      }
      continue;
    }
    if (r.label !== '') texts.append(text(4, y, r.label, 'start', r));
    if (r.kind === 'study' || r.kind === 'header')
      L.columnX.forEach((cx, j) => {
        const v = r.cols[j] ?? '';
        if (v !== '') texts.append(text(cx, y, v, 'end', r));
      });
    if (r.effectText !== '') texts.append(text(effectX, y, r.effectText, 'end', r));
    if (r.weightText !== '') texts.append(text(weightX, y, r.weightText, 'end', r));
  }
  svg.append(texts);

  // the forest: null line, CIs, prediction intervals, arrows, squares and diamonds
  const g = s('g', { class: 'marks' });
  const nx = xs(L.nullValue);
  g.append(line(nx, rowY(0.5) - L.rowHeight / 2, nx, rowY(L.lastForestRow + 0.5) - L.rowHeight / 2, '#bbbbbb', 1));
  const [wLo, wHi] = L.squareArea;
  for (const r of L.rows) {
    const y = rowY(r.row);
    if ((r.kind === 'study' || r.kind === 'prediction') && r.loP !== null && r.hiP !== null) {
      const colour = r.kind === 'prediction' ? '#b03a2e' : INK;
      g.append(line(xs(r.loP), y, xs(r.hiP), y, colour, r.kind === 'prediction' ? 3 : 1));
    }
    if (r.kind !== 'summary') {
      if (r.arrowLeft && r.loP !== null) g.append(triangle(xs(r.loP), y, -1));
      if (r.arrowRight && r.hiP !== null) g.append(triangle(xs(r.hiP), y, 1));
    }
    if (r.kind === 'study' && r.inRange && r.estP !== null) {
      const area = wLo + ((wHi - wLo) * (r.weight ?? 0)) / L.maxWeight;
      const side = Math.sqrt(area);
      g.append(
        s('rect', {
          x: round(xs(r.estP) - side / 2),
          y: round(y - side / 2),
          width: round(side),
          height: round(side),
          fill: '#2b6ca3',
        }),
      );
    }
  }
  const byId = new Map<number, { x: number; y: number; y2: number }[]>();
  for (const d of L.diamonds) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  for (const pts of byId.values()) {
    const [lo, mid, hi] = pts as [(typeof pts)[0], (typeof pts)[0], (typeof pts)[0]];
    const yy = (v: number) => top + (v + 0.5) * L.rowHeight;
    const points = [
      [xs(lo.x), yy(lo.y)],
      [xs(mid.x), yy(mid.y)],
      [xs(hi.x), yy(hi.y)],
      [xs(mid.x), yy(mid.y2)],
    ]
      .map(([a, b]) => `${round(a as number)},${round(b as number)}`)
      .join(' ');
    g.append(s('polygon', { points, fill: '#111111' }));
  }
  svg.append(g);

  // the axis under the forest, its title and the "Favours" labels
  const axisY = top + L.height;
  const axis = s('g', { class: 'axis' });
  axis.append(line(x0, axisY, x0 + L.forestWidth, axisY, '#888888', 1));
  const ticks = xs.ticks(7).filter((t) => t >= (L.xDomain[0] as number) && t <= (L.xDomain[1] as number));
  const format = input.ratio ? xs.tickFormat(7, '~g') : xs.tickFormat(7);
  for (const t of ticks) {
    const x = xs(t);
    axis.append(line(x, axisY, x, axisY + 5, '#888888', 1));
    const lab = format(t);
    if (lab !== '') axis.append(s('text', { x: round(x), y: axisY + 17, 'text-anchor': 'middle' }, lab));
  }
  axis.append(
    s(
      'text',
      { x: round(x0 + L.forestWidth / 2), y: axisY + 36, 'text-anchor': 'middle', 'font-weight': 'bold' },
      L.axisTitle,
    ),
  );
  const fav = (t: string, dx: number, anchor: 'start' | 'end') =>
    s('text', { x: round(nx + dx), y: axisY + 60, 'text-anchor': anchor, 'font-size': 10, fill: MUTED }, t);
  if (input.favours[0]) axis.append(fav(input.favours[0], -8, 'end'));
  if (input.favours[1]) axis.append(fav(input.favours[1], 8, 'start'));
  svg.append(axis);

  // risk-of-bias columns
  if (input.rob) {
    const rob = input.rob;
    const gx = L.leftWidth + L.forestWidth + L.rightWidth;
    const rg = s('g', { class: 'rob' });
    rob.headers.forEach((_, j) => {
      const cx = gx + L.robCell / 2 + 4 + j * L.robCell;
      for (const r of L.rows) {
        const y = rowY(r.row);
        if (r.kind === 'header') {
          const t = text(cx, y, String(r[`robHead${j}`] ?? ''), 'middle', r);
          t.setAttribute('font-size', '10');
          rg.append(t);
        } else if (r.kind === 'study') {
          rg.append(
            s('circle', {
              cx: round(cx),
              cy: round(y),
              r: 6.9,
              fill: String(r[`robColour${j}`] ?? '#cccccc'),
              stroke: '#555555',
              'stroke-width': 0.5,
            }),
          );
          const sym = String(r[`robSymbol${j}`] ?? '');
          if (sym !== '') {
            const t = text(cx, y, sym, 'middle');
            t.setAttribute('font-size', '10');
            t.setAttribute('font-weight', 'bold');
            t.setAttribute('fill', '#111111');
            rg.append(t);
          }
        }
      }
    });
    svg.append(rg);
  }
  void n;
  return svg;
}

const round = (x: number) => Math.round(x * 10) / 10;

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width: number): SVGLineElement {
  return s('line', { x1: round(x1), y1: round(y1), x2: round(x2), y2: round(y2), stroke, 'stroke-width': width });
}

/** A small filled triangle pointing left (-1) or right (1) at the end of a clipped CI. */
function triangle(x: number, y: number, dir: -1 | 1): SVGPolygonElement {
  const w = 6,
    hgt = 4;
  const tip = x + dir * 2;
  const points = `${round(tip)},${round(y)} ${round(tip - dir * w)},${round(y - hgt)} ${round(tip - dir * w)},${round(y + hgt)}`;
  return s('polygon', { points, fill: INK });
}
