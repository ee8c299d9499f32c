/**
 * Risk-of-bias plots as robvis draws them (McGuinness LA, Higgins JPT. Risk-of-bias VISualization (robvis):
 * an R package and Shiny web app for visualizing risk-of-bias assessments. Res Syn Meth 2021;12:55–61):
 * the traffic-light plot (one row per study, one coloured circle with a symbol per domain and overall) and
 * the summary bar plot (per domain, the share of studies, or of the analysis weight, at each judgement).
 * Pure: judgements and shares in, vega-lite spec out; the shares come from evidence/risk-of-bias.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  NOT_ASSESSED_COLOUR,
  ROB_TOOLS,
  type RiskOfBias,
  type RobSummaryBar,
  type RobTool,
} from '../evidence/risk-of-bias.ts';
import { formatNumber } from '../core/format.ts';
import { baseConfig, THEME } from './theme.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CELL = 44;

function palette(tool: RobTool): { levels: string[]; colours: string[]; symbols: Record<string, string> } {
  const spec = ROB_TOOLS[tool];
  return {
    levels: [...spec.levels, 'not assessed'],
    colours: [...spec.levels.map((l) => (spec.colours as Record<string, string>)[l] as string), NOT_ASSESSED_COLOUR],
    symbols: { ...(spec.symbols as Record<string, string>), 'not assessed': '' },
  };
}

/** Legend lines: the domains' names and the judgements' symbols. */
function legendLines(rob: { tool: RobTool; columns: RiskOfBias['columns'] }): string[] {
  const { levels, symbols } = palette(rob.tool);
  return [
    ...rob.columns.map((c) => `${c.label}: ${c.name}`),
    `Judgement: ${levels.map((l) => `${symbols[l] ? `${symbols[l]} ` : ''}${l}`).join(', ')}`,
  ];
}

function legendView(lines: readonly string[], width: number) {
  return {
    width,
    height: lines.length * 15,
    data: { values: lines.map((text, i) => ({ text, i })) },
    mark: {
      type: 'text' as const,
      align: 'left' as const,
      baseline: 'middle' as const,
      fontSize: 10,
      color: THEME.muted,
    },
    encoding: {
      x: { value: 0 },
      y: { field: 'i', type: 'ordinal' as const, axis: null },
      text: { field: 'text', type: 'nominal' as const },
    },
  };
}

/** Traffic-light plot: `labels[i]` is the study of `rob.judgements[i]`. */
export function robTrafficLightSpec(
  rob: RiskOfBias,
  labels: readonly string[],
  options: { readonly title?: string } = {},
): TopLevelSpec {
  const { levels, colours, symbols } = palette(rob.tool);
  const values = rob.judgements.flatMap((row, i) =>
    rob.columns.map((c, j) => {
      const level = row[j] ?? 'not assessed';
      return {
        study: labels[i] ?? `Study ${i + 1}`,
        order: i,
        domain: c.label,
        dj: j,
        level,
        symbol: symbols[level] ?? '',
      };
    }),
  );
  const width = rob.columns.length * CELL;
  const y = {
    field: 'study',
    type: 'ordinal' as const,
    sort: { field: 'order' },
    title: null,
    axis: { domain: false, ticks: false },
  };
  const x = {
    field: 'domain',
    type: 'ordinal' as const,
    sort: rob.columns.map((c) => c.label),
    title: null,
    axis: { orient: 'top' as const, labelAngle: 0, domain: false, ticks: false, labelFontWeight: 'bold' as const },
  };
  const spec = {
    $schema: SCHEMA,
    ...(options.title ? { title: { text: options.title } } : {}),
    config: baseConfig(),
    vconcat: [
      {
        width,
        height: { step: 24 },
        data: { values },
        layer: [
          {
            mark: {
              type: 'point',
              shape: 'circle',
              filled: true,
              size: 330,
              opacity: 1,
              stroke: '#555555',
              strokeWidth: 0.5,
            },
            encoding: {
              x,
              y,
              color: {
                field: 'level',
                type: 'nominal',
                scale: { domain: levels, range: colours },
                legend: null,
              },
            },
          },
          {
            mark: {
              type: 'text',
              align: 'center',
              baseline: 'middle',
              fontWeight: 'bold',
              fontSize: 12,
              color: '#111111',
            },
            encoding: { x, y, text: { field: 'symbol', type: 'nominal' } },
          },
        ],
      },
      legendView([`${ROB_TOOLS[rob.tool].name}`, ...legendLines(rob)], width + 260),
    ],
  };
  return spec as unknown as TopLevelSpec;
}

/** Summary bar plot: per domain, stacked shares of the judgements (of studies, or of weight when `weighted`). */
export function robSummarySpec(
  tool: RobTool,
  bars: readonly RobSummaryBar[],
  options: { readonly title?: string; readonly weighted?: boolean; readonly width?: number } = {},
): TopLevelSpec {
  const { levels, colours } = palette(tool);
  const values = bars.flatMap((b, bi) =>
    b.shares.map((s) => ({
      domain: `${b.domain.label}: ${b.domain.name}`,
      order: bi,
      level: s.level,
      li: levels.indexOf(s.level),
      percent: s.percent,
      text: `${formatNumber(s.percent, 0)}%`,
    })),
  );
  const width = options.width ?? 480;
  const spec = {
    $schema: SCHEMA,
    ...(options.title ? { title: { text: options.title } } : {}),
    config: baseConfig(),
    width,
    height: { step: 26 },
    data: { values },
    mark: { type: 'bar', stroke: '#555555', strokeWidth: 0.5 },
    encoding: {
      y: {
        field: 'domain',
        type: 'ordinal',
        sort: { field: 'order' },
        title: null,
        axis: { labelLimit: 420, domain: false, ticks: false },
      },
      x: {
        field: 'percent',
        type: 'quantitative',
        stack: 'zero',
        scale: { domain: [0, 100], nice: false },
        title: options.weighted ? 'Share of the analysis weight (%)' : 'Share of studies (%)',
      },
      color: {
        field: 'level',
        type: 'nominal',
        scale: { domain: levels, range: colours },
        legend: { title: `${ROB_TOOLS[tool].name} judgement`, orient: 'bottom' },
      },
      order: { field: 'li', type: 'quantitative' },
      tooltip: [{ field: 'level' }, { field: 'text' }],
    },
  };
  return spec as unknown as TopLevelSpec;
}
