/**
 * evsynth: evidence synthesis (meta-analysis) in TypeScript, at parity with R's metafor.
 *
 * This is the pure engine (the package's `evsynth` entry): effect sizes, models, inference, analyses,
 * diagnostics, reports, number formatting and vega-lite plot specs. It imports nothing from Node.js, no
 * native module and no worker, so it bundles for the browser as is. Reading files and the bundled
 * datasets, rendering specs to SVG/PNG and the worker-thread pools are in `evsynth/node` (src/node.ts).
 * Explicit named re-exports only.
 */
export { EvsynthError, type ErrorCode, type SourceLocation } from './core/errors.ts';
export { pnorm, qnorm, pt, qt, pchisq, pchisqUpper, qchisq, pfUpper, critical } from './distributions/index.ts';
export { escalc, toEffectSet, parseMeasure, EFFECT_DEFAULTS } from './effects/escalc.ts';
export { hedgesCorrection } from './effects/smd.ts';
export {
  ZERO_CELL_RULES,
  VTYPES,
  EFFECT_COLUMNS,
  type ZeroCellRule,
  type Vtype,
  type EffectOptions,
  type EffectColumns,
} from './effects/options.ts';
export {
  MEASURE_REGISTRY,
  MEASURES,
  RATIO_MEASURES,
  MH_MEASURES,
  measureSpec,
  measureLabel,
  measuresForColumns,
  measureVtypes,
  type BackTransform,
  type VtypeSpec,
  type Measure,
  type MhMeasure,
  type MeasureSpec,
  type MeasureFamily,
} from './effects/registry.ts';
export { type EffectSizes, type EffectSet, type Exclusion } from './effects/types.ts';
export { interceptDesign, designFromColumns, subsetDesign, type Design } from './models/design.ts';
export {
  fitRma,
  isCommonEffect,
  RMA_DEFAULTS,
  TESTS,
  type RmaFit,
  type RmaOptions,
  type Coefficient,
  type FitStatistics,
  type TestType,
} from './models/rma.ts';
export {
  TAU2_METHODS,
  parseTau2Method,
  type Tau2Method,
  type Tau2Control,
  type Tau2Estimate,
  type Tau2EstimatorSpec,
  TAU2_REGISTRY,
  DEFAULT_TAU2_METHOD,
} from './models/tau2/index.ts';
export { fitMantelHaenszel, fitPeto, type PooledTableFit, type PooledTableOptions } from './models/mantel-haenszel.ts';
export { predict, PI_TYPES, type PiType, type Prediction } from './inference/prediction.ts';
export {
  tau2ConfidenceInterval,
  type Tau2ConfidenceIntervals,
  type HeterogeneityInterval,
} from './inference/tau2-interval.ts';
export { studyIntervals, type StudyIntervals } from './inference/study-intervals.ts';
export {
  metaAnalysis,
  pooledEstimate,
  studyWeights,
  type MetaAnalysis,
  type AnalysisOptions,
  type InverseVarianceModel,
  type PooledTableModel,
} from './analysis/meta-analysis.ts';
export {
  POOLING_METHODS,
  parsePoolingMethod,
  poolingKind,
  poolingMethodLabel,
  describePoolingMethods,
  type PoolingMethod,
  type PoolingKind,
} from './models/pooling-methods.ts';
export { analyze, analyzeTable, overallOf, type AnalysisResult, type AnalysisData } from './analysis/analyze.ts';
export {
  resolveAnalysisOptions,
  resolveMeasure,
  levelPercent,
  type AnalysisRequest,
  type RequestContext,
} from './analysis/request.ts';
export {
  PLOTS,
  PLOT_KINDS,
  parsePlotKind,
  plotSpec,
  forestPlotInput,
  type PlotKind,
  type PlotRequest,
} from './plots/registry.ts';
export { forestFromMultilevel, type MultilevelForestOptions } from './report/multilevel-forest.ts';
export { summarize, type FitSummary } from './report/summary.ts';
export { summarizeSubgroups, formatSubgroupText, type SubgroupSummary } from './report/subgroup-text.ts';
export { formatFitText, formatEffectsText, type TextOptions } from './report/text.ts';
export { summarizeRegression, formatRegressionText, type RegressionSummary } from './report/regression-text.ts';
export { sensitivityJson, biasJson } from './report/diagnostics-text.ts';
export { studyDataColumns } from './plots/data-columns.ts';
export { formatNumber, formatPValue, formatPercent } from './core/format.ts';
export {
  parseCsv,
  numericColumn,
  stringColumn,
  studyLabels,
  hasColumn,
  isMissingCell,
  formatCsv,
  inTable,
  selectRows,
  tableFromRows,
  type CsvOptions,
  type DataTable,
} from './io/csv.ts';
export { effectColumnsFromTable } from './effects/from-table.ts';
export { fitBatch, type BatchResult } from './models/batch.ts';
export { fitLean, LeanFit, type LeanOptions } from './models/lean-fit.ts';
export { parseModerators, type ModeratorFormula, type ModeratorTerm } from './models/formula.ts';
export { buildModelMatrix, type ModelMatrix } from './models/model-matrix.ts';
export {
  fitSeparateSubgroups,
  fitCommonTau2Subgroups,
  subgroupDifferenceTest,
  type SeparateSubgroups,
  type CommonTau2Subgroups,
  type SubgroupFit,
  type SubgroupDifferenceTest,
} from './models/subgroups.ts';
export {
  subgroupAnalysis,
  type SubgroupAnalysis,
  type SubgroupLevel,
  type SubgroupOptions,
  type MissingGroupRule,
} from './analysis/subgroup-analysis.ts';
export {
  metaRegression,
  regressionBands,
  type MetaRegression,
  type RegressionOptions,
  type RegressionBand,
} from './analysis/regression.ts';
export { permutationTest, type PermutationOptions, type PermutationResult } from './inference/permutation.ts';
export { PRESETS, PRESET_NAMES, parsePreset, type PresetName } from './analysis/presets.ts';
export { leaveOneOut, type LeaveOneOut } from './diagnostics/leave-one-out.ts';
export { cumulative, type Cumulative } from './diagnostics/cumulative.ts';
export { influence, type Influence } from './diagnostics/influence.ts';
export { baujat, type BaujatPoints } from './diagnostics/baujat.ts';
export {
  gosh,
  goshRange,
  goshMasks,
  summarizeGosh,
  type GoshResult,
  type GoshOptions,
  type GoshSummary,
} from './diagnostics/gosh.ts';
export { regressionTest, REGTEST_PREDICTORS, type RegressionTest, type RegtestPredictor } from './diagnostics/egger.ts';
export { rankCorrelationTest, type RankCorrelationTest } from './diagnostics/rank-correlation.ts';
export { trimAndFill, varianceL0, type TrimAndFill, type TrimfillEstimator } from './diagnostics/trim-and-fill.ts';
export { failSafeN, FSN_TYPES, type FailSafeN, type FsnType } from './diagnostics/fail-safe.ts';
export { petPeese, type PetPeese } from './diagnostics/pet-peese.ts';
export type { SkippedDiagnostic, DiagnosedModel } from './analysis/diagnostics.ts';
export {
  simulateMetaAnalyses,
  simulateAndFit,
  type SimulatedFits,
  mcProportion,
  mcMean,
  mcMse,
  type SimulatedMetaAnalyses,
  type SimulationDesign,
  type MonteCarloEstimate,
} from './simulation/meta-simulation.ts';
export {
  simulateContinuousTrials,
  simulateBinaryTrials,
  type ContinuousTrialDesign,
  type BinaryTrialDesign,
  type SimulatedContinuousTrials,
  type SimulatedBinaryTrials,
  type PerTrial,
} from './simulation/trials.ts';
export { funnelData, type FunnelData } from './diagnostics/funnel.ts';
export { checkPublishedConsistency, parsePrintedP, type PrintedP } from './analysis/consistency.ts';
export {
  reproduceDataset,
  checkClaim,
  datasetResolver,
  localResolver,
  VERDICTS,
  type DatasetReproduction,
  type ClaimCheck,
  type ClaimResolver,
  type CheckKind,
  type CheckBasis,
  type Verdict,
} from './analysis/reproduce.ts';
export {
  reproduceChapter,
  type ChapterReport,
  type StatementReport,
  type StatementVerdict,
} from './analysis/chapter.ts';
export {
  CLAIM_KINDS,
  type Claim,
  type ClaimKind,
  type CountClaim,
  type FindingClaim,
  type SubgroupDifferenceClaim,
  type StatementClaim,
  type PrintedHeterogeneity,
} from './evidence/claims.ts';
export {
  validateProvenance,
  type Provenance,
  type PooledClaim,
  type PerStudyClaims,
  type ReviewModel,
  type RowSource,
  type RowStatus,
} from './evidence/provenance.ts';
export { forestSpec, forestLayout, type ForestLayout, type ForestLayoutRow } from './plots/forest.ts';
export {
  forestFrom,
  forestFromAnalysis,
  forestFromSubgroups,
  type ForestInput,
  type ForestStudy,
  type ForestGroup,
  type ForestSort,
} from './plots/forest-data.ts';
export { funnelSpec, baujatSpec, labbeSpec, bubbleSpec, goshSpec } from './plots/diagnostic-plots.ts';
export { Random } from './core/random.ts';
export {
  ROB_TOOLS,
  ROB_TOOL_NAMES,
  readRiskOfBias,
  lowRiskRows,
  robSummary,
  type RiskOfBias,
  type RobTool,
  type RobDomain,
} from './evidence/risk-of-bias.ts';
export { studyKeys, STUDY_ID_COLUMN, DISTINGUISHING_COLUMNS, type StudyKeys } from './evidence/study-id.ts';
export type { RiskOfBiasSource, HistoryEntry } from './evidence/provenance.ts';
export type { ForestRob } from './plots/forest-data.ts';
export { robTrafficLightSpec, robSummarySpec } from './plots/risk-of-bias-plots.ts';
export {
  compareVersions,
  diffRows,
  type EvidenceDiff,
  type Version,
  type DiffOptions,
  type RowsDiff,
  type RowRef,
  type RowChange,
  type FlagKind,
  type ConclusionFlag,
  type ScopeDiff,
  type SubgroupTestSummary,
  type ClaimChange,
} from './analysis/evidence-diff.ts';
export { pooledSummary, participantsOf, type PooledSummary } from './analysis/pooled-summary.ts';
export { mergeRows, type MergedRows } from './evidence/update.ts';
export { I2_BANDS, i2Bands, i2BandText } from './evidence/heterogeneity-bands.ts';
// Dependent effect sizes: multilevel/multivariate models (metafor rma.mv), cluster-robust inference, shared arms
export {
  fitRmaMv,
  MV_METHODS,
  MV_TESTS,
  MV_DFS,
  MvProblem,
  type RmaMvFit,
  type RmaMvOptions,
  type MvMethod,
  type MvTest,
  type MvDfs,
  type FixedComponents,
  type ComponentKind,
  type VarianceComponent,
  type StructSummary,
  type MvCoefficient,
} from './models/mv/rma-mv.ts';
export {
  parseRandom,
  buildRandomTerms,
  termText,
  termColumns,
  isMissingLevel,
  type RandomTerm,
  type RandomTermSpec,
  type InterceptTerm,
  type StructTerm,
} from './models/mv/random-terms.ts';
export { STRUCTS, parseStruct, type Struct } from './models/mv/structures.ts';
export { profileIntervals, type ComponentInterval } from './models/mv/profile.ts';
export { predictMv, type MvPrediction } from './inference/mv-prediction.ts';
export {
  robust,
  ROBUST_TYPES,
  type RobustType,
  type RobustOptions,
  type RobustResult,
  type RobustCoefficient,
} from './inference/robust.ts';
export {
  diagonalCovariance,
  covarianceFromMatrix,
  covarianceFromPairs,
  subsetCovariance,
  denseCovariance,
  type SamplingCovariance,
  type Covariance,
} from './effects/sampling-covariance.ts';
export {
  sharedArmEffects,
  sharedArmGroups,
  SHARED_ARM_MEASURES,
  SHARED_N,
  SHARED_SD,
  SHARED_APPROACHES,
  type SharedArmGroup,
  type SharedSd,
  type SharedArmEffects,
  type SharedArmMeasure,
  type SharedN,
  type SharedApproach,
} from './effects/shared-arms.ts';
export { constantCorrelation } from './effects/constant-correlation.ts';
export type { GradeSpec, OutcomeSpec, OutcomeSource, Judgement, Upgrade, SourcedNumber } from './grade/spec.ts';
export type { SummaryOfFindings, SofOutcome, OutcomeAnalysis } from './grade/summary-of-findings.ts';
export {
  absoluteEffect,
  riskWithIntervention,
  differenceWords,
  type AbsoluteEffect,
} from './grade/absolute-effects.ts';
export { reexpressSmd, smdMagnitude } from './grade/smd-reexpression.ts';
export { optimalInformationSizeBinary, optimalInformationSizeContinuous } from './grade/optimal-information-size.ts';
export {
  rateCertainty,
  certaintySymbols,
  CERTAINTY_LEVELS,
  GRADE_DOMAINS,
  type CertaintyLevel,
  type CertaintyRating,
  type GradeDomain,
  type DomainRating,
} from './grade/certainty.ts';
export {
  suggestImprecision,
  suggestInconsistency,
  suggestPublicationBias,
  suggestRiskOfBias,
  type Suggestion,
} from './grade/suggestions.ts';
export {
  formatSofMarkdown,
  formatSofCsv,
  formatSofHtml,
  sofHtmlFragment,
  judgementsHtml,
  escapeHtml,
  SOF_CSS,
} from './report/sof-text.ts';
export { sofDocx } from './report/sof-docx.ts';
export { assertPositiveDefinite } from './effects/sampling-covariance.ts';
export {
  multilevelAnalysis,
  multilevelTable,
  multilevelContext,
  parseVSpec,
  parseFixedValues,
  ROW_COLUMN,
  type MultilevelAnalysis,
  type MultilevelOptions,
  type MultilevelRequest,
  type MultilevelContext,
  type VSpec,
} from './analysis/multilevel.ts';
export {
  summarizeMultilevel,
  formatMultilevelText,
  type MultilevelSummary,
  type ComponentSummary,
  type CoefficientSummary,
} from './report/multilevel-text.ts';
export type { SharedArms } from './evidence/provenance.ts';
export type { Dataset } from './evidence/datasets.ts';
export type { Chapter, ChapterStatement, ChapterClaim, ChapterReference } from './evidence/chapter.ts';
export {
  sensitivityAnalyses,
  publicationBias,
  goshInThread,
  type GoshRunner,
  type SensitivityRequest,
  type SensitivityResults,
  type BiasRequest,
  type BiasResults,
} from './analysis/diagnostics.ts';
export { parseRm5 } from './evidence/import/rm5.ts';
export { parseRevmanCsv, REVMAN_CSV_COLUMNS } from './evidence/import/revman-csv.ts';
export { parseCochranePackage, unzipEntries } from './evidence/import/cochrane-package.ts';
export { analysisToDataset, type ImportSource, type ImportedDataset } from './evidence/import/to-dataset.ts';
export type {
  ImportedReview,
  ImportedAnalysis,
  ImportedRow,
  ImportedStudy,
  PrintedPooled,
  PrintedNumber,
  RiskOfBiasItem,
} from './evidence/import/review.ts';
export { readXlsx, writeXlsx, type XlsxSheet, type XlsxCell } from './evidence/import/xlsx.ts';
export { spreadsheetToDataset, parseColumnMap, type SpreadsheetOptions } from './evidence/import/spreadsheet.ts';
export {
  rScript,
  pooledNumbers,
  R_PACKAGES,
  type RPackage,
  type RScriptInput,
  type PooledNumbers,
  type EvsynthNumbers,
} from './export/r-script.ts';
export { revmanCsv, type RevmanCsvInput } from './export/revman-csv.ts';
