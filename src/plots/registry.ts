/**
 * The plot registry: every plot kind, declared once with its description and the function that runs
 * the analysis it shows (through the analysis layer) and builds its vega-lite spec. The CLI's `plot`
 * command, the web explorer and the notebooks ask for a plot by name here; none of them computes a
 * statistic.
 */
import type { TopLevelSpec } from 'vega-lite';
import { analyzeTable, overallOf } from '../analysis/analyze.ts';
import { publicationBias, sensitivityAnalyses, type GoshRunner } from '../analysis/diagnostics.ts';
import type { MetaAnalysis } from '../analysis/meta-analysis.ts';
import type { RmaFit } from '../models/rma.ts';
import { metaRegression, regressionBands } from '../analysis/regression.ts';
import { resolveAnalysisOptions, type AnalysisRequest, type RequestContext } from '../analysis/request.ts';
import { EvsynthError } from '../core/errors.ts';
import { baujat } from '../diagnostics/baujat.ts';
import { funnelData } from '../diagnostics/funnel.ts';
import { armEventRates } from '../effects/binary.ts';
import { effectColumnsFromTable } from '../effects/from-table.ts';
import { measureLabel, measureSpec, RATIO_MEASURES } from '../effects/registry.ts';
import { inTable, numericColumn, stringColumn, studyLabels, type DataTable } from '../io/csv.ts';
import { baujatSpec, bubbleSpec, funnelSpec, goshSpec, labbeSpec } from './diagnostic-plots.ts';
import { studyDataColumns } from './data-columns.ts';
import { forestFrom, forestOfRefits, type ForestInput, type ForestSort } from './forest-data.ts';
import { forestSpec } from './forest.ts';
import { readRiskOfBias, robSummary, ROB_TOOLS, type RiskOfBias } from '../evidence/risk-of-bias.ts';
import { studyWeights } from '../analysis/meta-analysis.ts';
import { robSummarySpec, robTrafficLightSpec } from './risk-of-bias-plots.ts';

/** What a plot is asked for: the data, the analysis request and the plot's own options. */
export interface PlotRequest {
  readonly table: DataTable;
  readonly analysis: AnalysisRequest;
  readonly context?: RequestContext;
  readonly title?: string;
  /** Labels under the forest axis: [left, right]. */
  readonly favours?: readonly [string, string];
  /** Forest plot width in pixels. */
  readonly width?: number;
  /** Forest plots: study rows drawn at most (default FOREST_MAX_STUDIES; the rest are counted in a note). */
  readonly maxStudies?: number;
  readonly sort?: ForestSort;
  /** Funnel: contour-enhanced; with the studies trim and fill adds. */
  readonly contour?: boolean;
  readonly trimfill?: boolean;
  /** Cumulative plot: order by this numeric column (input order when absent). */
  readonly order?: string;
  /** Bubble and Baujat plots: the moderator formula (Baujat: of the meta-regression). */
  readonly mods?: string;
  /** GOSH: random subsets beyond k = 20, their seed, and progress. */
  readonly subsets?: number;
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** RoB summary: shares of studies instead of shares of the analysis weight. */
  readonly unweighted?: boolean;
  /** How GOSH is run (default: in this thread; `evsynth/node` has a worker-thread pool, goshParallel). */
  readonly goshRunner?: GoshRunner;
}

export interface PlotKindSpec {
  /** One line for help text. */
  readonly description: string;
  readonly build: (request: PlotRequest) => Promise<TopLevelSpec>;
}

const favoursOf = (r: PlotRequest) => (r.favours ? { favours: r.favours } : {});
const titleOf = (r: PlotRequest, fallback?: string) => {
  const title = r.title ?? fallback;
  return title !== undefined ? { title } : {};
};
const widthOf = (r: PlotRequest) => ({
  ...(r.width !== undefined ? { width: r.width } : {}),
  ...(r.maxStudies !== undefined ? { maxStudies: r.maxStudies } : {}),
});

/** The analysis behind a diagnostic plot: a plain meta-analysis with an inverse-variance model, and its fit. */
function inverseVarianceAnalysis(r: PlotRequest, kind: string): { a: MetaAnalysis; fit: RmaFit } {
  const { by: _by, ...single } = r.analysis;
  const a = overallOf(analyzeTable(r.table, single, r.context).result);
  if (a.model.kind !== 'rma')
    throw new EvsynthError('INVALID_ARGUMENT', `a ${kind} plot needs an inverse-variance model (not MH or PETO)`);
  return { a, fit: a.model.fit };
}

/** The meta-regression of a plot request's --mods (bubble and Baujat plots). */
function regressionOf(r: PlotRequest, formula: string) {
  const options = resolveAnalysisOptions(r.analysis, { ...r.context, table: r.table });
  const t = r.table;
  const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
  const reg = inTable(t, () =>
    metaRegression(effectColumnsFromTable(t), studyLabels(t), moderatorColumns, formula, options),
  );
  return { reg, options };
}

const xTitleLog = (a: MetaAnalysis) => (RATIO_MEASURES.has(a.measure) ? 'log ' : '') + measureLabel(a.measure);

async function refitForest(r: PlotRequest, kind: 'leave-one-out' | 'cumulative'): Promise<TopLevelSpec> {
  const { a } = inverseVarianceAnalysis(r, kind);
  const order = r.order;
  const s = await sensitivityAnalyses(
    a,
    kind === 'leave-one-out'
      ? { leaveOneOut: true }
      : {
          cumulative: order
            ? {
                column: order,
                key: Float64Array.from(a.studies.rows, (row) => numericColumn(r.table, order)[row] as number),
              }
            : true,
        },
  );
  const rows =
    kind === 'leave-one-out'
      ? a.studies.labels.map((label, i) => ({
          label,
          est: s.leaveOneOut?.estimate[i] as number,
          lo: s.leaveOneOut?.ciLower[i] as number,
          hi: s.leaveOneOut?.ciUpper[i] as number,
        }))
      : (s.cumulative?.order ?? []).map((idx, i) => ({
          label: `+ ${a.studies.labels[idx] ?? ''}`,
          est: s.cumulative?.estimate[i] as number,
          lo: s.cumulative?.ciLower[i] as number,
          hi: s.cumulative?.ciUpper[i] as number,
        }));
  return forestSpec(forestOfRefits(a, rows, { kind, ...titleOf(r), ...favoursOf(r) }), widthOf(r));
}

/** The table's risk-of-bias judgements, or an error saying which columns a RoB plot needs. */
function requireRob(r: PlotRequest, kind: string): RiskOfBias {
  const rob = readRiskOfBias(r.table);
  if (rob === null) {
    const cols = Object.values(ROB_TOOLS)
      .map((t) => `${t.name}: ${[...t.domains, t.overall].map((d) => d.column).join(', ')}`)
      .join('; or ');
    throw new EvsynthError('MISSING_COLUMN', `a ${kind} plot needs risk-of-bias columns (${cols})`, {
      file: r.table.file,
    });
  }
  return rob;
}

/** The forest plot's RoB columns when the table has judgements. */
function forestRobOption(table: DataTable) {
  const rob = readRiskOfBias(table);
  if (rob === null) return {};
  return {
    rob: {
      tool: rob.tool,
      headers: rob.columns.map((c) => c.label),
      names: rob.columns.map((c) => c.name),
      values: rob.judgements,
    },
  };
}

/**
 * The rows of the forest plot a request asks for (data columns, RoB columns, sort, title, favours), from the
 * analysis of the request or from `analysed`, that analysis already run (the explorer reuses its fit).
 */
export function forestPlotInput(
  r: PlotRequest,
  analysed: Pick<ReturnType<typeof analyzeTable>, 'options' | 'result'> = analyzeTable(r.table, r.analysis, r.context),
): ForestInput {
  const { options, result } = analysed;
  return forestFrom(result, {
    columns: studyDataColumns(r.table, options.measure),
    ...forestRobOption(r.table),
    sort: r.sort ?? 'input',
    ...titleOf(r),
    ...favoursOf(r),
    ...(r.sort === 'year' ? { sortKeys: Array.from(numericColumn(r.table, 'year')) } : {}),
  });
}

/** Every plot kind, by the name the CLI and the explorer use. */
export const PLOTS = {
  forest: {
    description: 'forest plot in the Cochrane/RevMan layout (subgroups with --by)',
    build: async (r) => forestSpec(forestPlotInput(r), widthOf(r)),
  },
  funnel: {
    description: 'funnel plot (contour-enhanced with --contour; trim-and-fill studies with --trimfill)',
    build: async (r) => {
      const { a, fit } = inverseVarianceAnalysis(r, 'funnel');
      // the funnel stays centred on the observed studies' estimate; filled studies are drawn hollow
      const tf = r.trimfill ? publicationBias(a, { trimfill: true }).trimfill : null;
      return funnelSpec(funnelData(fit, r.contour ?? false), {
        xTitle: xTitleLog(a),
        labels: a.studies.labels,
        ...titleOf(r),
        ...(tf ? { filled: { yi: tf.filledYi, sei: Float64Array.from(tf.filledVi, Math.sqrt) } } : {}),
      });
    },
  },
  baujat: {
    description: "Baujat plot (each study's contribution to heterogeneity and influence on the estimate)",
    build: async (r) => {
      if (r.mods !== undefined) {
        // of the meta-regression, as metafor's baujat on a model with moderators
        const { reg } = regressionOf(r, r.mods);
        return baujatSpec(baujat(reg.fit), reg.labels, r.title);
      }
      const { a, fit } = inverseVarianceAnalysis(r, 'baujat');
      return baujatSpec(baujat(fit), a.studies.labels, r.title);
    },
  },
  labbe: {
    description: "L'Abbé plot of the arms' event rates (2×2 data)",
    build: async (r) => {
      const options = resolveAnalysisOptions(r.analysis, { ...r.context, table: r.table });
      if (measureSpec(options.measure).family !== 'two-by-two')
        throw new EvsynthError(
          'INVALID_ARGUMENT',
          `a L'Abbé plot needs 2×2 tables (--measure RR, OR, RD or PETO); measure is ${options.measure}`,
        );
      const labels = studyLabels(r.table);
      return labbeSpec(
        inTable(r.table, () => armEventRates(effectColumnsFromTable(r.table), labels.length)),
        labels,
        titleOf(r),
      );
    },
  },
  bubble: {
    description: 'bubble plot of a meta-regression on one moderator, with CI and PI bands (--mods)',
    build: async (r) => {
      if (r.mods === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'a bubble plot needs --mods or --mod');
      const { reg, options } = regressionOf(r, r.mods);
      const j = reg.fit.design.names[0] === 'intrcpt' ? 1 : 0;
      const points = reg.labels.map((label, i) => ({
        x: reg.fit.design.x[i * reg.fit.design.p + j] as number,
        y: reg.fit.yi[i] as number,
        weight: reg.fit.weights[i] as number,
        label,
      }));
      return bubbleSpec(points, regressionBands(reg), {
        xTitle: reg.fit.design.names[j] ?? 'moderator',
        yTitle: measureLabel(options.measure),
        ...titleOf(r),
      });
    },
  },
  'leave-one-out': {
    description: 'forest plot of the leave-one-out estimates',
    build: (r) => refitForest(r, 'leave-one-out'),
  },
  cumulative: {
    description: 'forest plot of the cumulative estimates (ordered by --order)',
    build: (r) => refitForest(r, 'cumulative'),
  },
  gosh: {
    description: 'GOSH plot: estimate against I² for every subset (a seeded sample beyond k = 20)',
    build: async (r) => {
      const { a } = inverseVarianceAnalysis(r, 'gosh');
      const s = await sensitivityAnalyses(a, {
        gosh: {
          ...(r.subsets !== undefined ? { subsets: r.subsets } : {}),
          ...(r.seed !== undefined ? { seed: r.seed } : {}),
          ...(r.onProgress ? { onProgress: r.onProgress } : {}),
        },
        ...(r.goshRunner ? { goshRunner: r.goshRunner } : {}),
      });
      const g = s.gosh?.result;
      return goshSpec(g?.estimate ?? [], g?.I2 ?? [], { xTitle: xTitleLog(a), ...titleOf(r) });
    },
  },
  'rob-traffic-light': {
    description: 'risk-of-bias traffic-light plot (robvis): each study by domain (RoB 2 or ROBINS-I columns)',
    build: async (r) => {
      const rob = requireRob(r, 'traffic-light');
      return robTrafficLightSpec(rob, studyLabels(r.table), titleOf(r));
    },
  },
  'rob-summary': {
    description:
      'risk-of-bias summary bars (robvis): share of the analysis weight at each judgement per domain (--unweighted: of studies)',
    build: async (r) => {
      const rob = requireRob(r, 'summary');
      if (r.unweighted) return robSummarySpec(rob.tool, robSummary(rob), { ...titleOf(r), weighted: false });
      const { by: _by, ...single } = r.analysis;
      const a = overallOf(analyzeTable(r.table, single, r.context).result);
      const w = studyWeights(a);
      const perRow = r.table.rows.map(() => Number.NaN);
      a.studies.rows.forEach((row, j) => {
        perRow[a.inputRows[row] as number] = w[j] as number;
      });
      return robSummarySpec(rob.tool, robSummary(rob, perRow), { ...titleOf(r), weighted: true });
    },
  },
} as const satisfies Record<string, PlotKindSpec>;

export type PlotKind = keyof typeof PLOTS;
export const PLOT_KINDS = Object.keys(PLOTS) as readonly PlotKind[];

/** Checks a plot name, or throws listing the kinds. */
export function parsePlotKind(name: string): PlotKind {
  if (!Object.hasOwn(PLOTS, name))
    throw new EvsynthError('INVALID_ARGUMENT', `unknown plot '${name}'; expected one of ${PLOT_KINDS.join(', ')}`);
  return name as PlotKind;
}

/** Builds the vega-lite spec of a plot kind. */
export function plotSpec(kind: PlotKind, request: PlotRequest): Promise<TopLevelSpec> {
  return PLOTS[kind].build(request);
}
