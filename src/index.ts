/**
 * evsynth: evidence synthesis (meta-analysis) in TypeScript, at parity with R's metafor.
 * Explicit named re-exports only.
 */
export { EvsynthError, type ErrorCode, type SourceLocation } from './core/errors.ts';
export { pnorm, qnorm, pt, qt, pchisq, pchisqUpper, qchisq, pfUpper, critical } from './distributions/index.ts';
export { escalc, toEffectSet, parseMeasure, EFFECT_DEFAULTS } from './effects/escalc.ts';
export { hedgesCorrection } from './effects/continuous.ts';
export {
  MEASURES, RATIO_MEASURES, ZERO_CELL_RULES, SMD_VTYPES, EFFECT_COLUMNS,
  type Measure, type ZeroCellRule, type SmdVtype, type EffectOptions, type EffectColumns, type EffectSizes, type EffectSet, type Exclusion,
} from './effects/types.ts';
export { interceptDesign, designFromColumns, subsetDesign, type Design } from './models/design.ts';
export { fitRma, isCommonEffect, RMA_DEFAULTS, TESTS, type RmaFit, type RmaOptions, type Coefficient, type FitStatistics, type TestType } from './models/rma.ts';
export { TAU2_METHODS, parseTau2Method, type Tau2Method, type Tau2Control, type Tau2Estimate } from './models/tau2/index.ts';
export { fitMantelHaenszel, fitPeto, MH_MEASURES, type MhMeasure, type PooledTableFit, type PooledTableOptions } from './models/mantel-haenszel.ts';
export { predict, PI_TYPES, type PiType, type Prediction } from './inference/prediction.ts';
export { tau2ConfidenceInterval, type Tau2ConfidenceIntervals, type HeterogeneityInterval } from './inference/tau2-interval.ts';
export { studyIntervals, type StudyIntervals } from './inference/study-intervals.ts';
export { metaAnalysis, parsePoolingMethod, POOLING_METHODS, type MetaAnalysis, type AnalysisOptions, type PoolingMethod } from './analysis/meta-analysis.ts';
export { summarize, type FitSummary } from './report/summary.ts';
export { formatNumber, formatPValue, formatPercent } from './report/format.ts';
export { parseCsv, numericColumn, stringColumn, studyLabels, type DataTable } from './io/csv.ts';
export { readCsv } from './io/csv-file.ts';
