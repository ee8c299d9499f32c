/**
 * evsynth for Node.js (the package's `evsynth/node` entry): everything of the pure engine (`evsynth`),
 * plus what needs Node: reading CSV files and the bundled datasets, rendering vega-lite specs to SVG and
 * PNG (loaded lazily, on the first render), and the worker-thread pools for GOSH and batches of fits.
 */
export * from './index.ts';
export { readCsv } from './io/csv-file.ts';
export { loadDataset, listDatasetNames, resolveInput, DATASETS_ROOT } from './evidence/datasets.ts';
export { loadChapter, listChapterNames } from './evidence/chapter.ts';
export { renderSvg, svgToPng, renderToBuffer } from './plots/render.ts';
export { goshParallel } from './diagnostics/gosh-parallel.ts';
export { fitBatchParallel } from './models/batch-parallel.ts';
export { readGradeSpec, parseGradeSpec } from './grade/spec.ts';
export { summaryOfFindings } from './grade/summary-of-findings.ts';
export { loadDatasetAt } from './evidence/datasets.ts';
export { readReview, reviewDatasets, writeDatasets, importReview, importSpreadsheet } from './evidence/import/files.ts';
