/** `evsynth plot <kind>`: every plot, written as SVG or PNG. */
import { metaAnalysis, parsePoolingMethod, type AnalysisOptions } from '../../analysis/meta-analysis.ts';
import { EvsynthError } from '../../core/errors.ts';
import { inTable, resolveMeasure, studyLabels } from '../input.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import { resolveInput } from '../../io/datasets.ts';
import { subgroupAnalysis } from '../../analysis/subgroup-analysis.ts';
import { stringColumn } from '../../io/csv.ts';
import { metaRegression } from '../../analysis/regression.ts';
import { progressBar } from '../progress.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { regressionBands } from '../../analysis/regression.ts';
import { publicationBias, sensitivityAnalyses } from '../../analysis/diagnostics.ts';
import { baujat } from '../../diagnostics/baujat.ts';
import { funnelData } from '../../diagnostics/funnel.ts';
import { armEventRates } from '../../effects/binary.ts';
import { RATIO_MEASURES } from '../../effects/types.ts';
import { bubbleSpec, baujatSpec, funnelSpec, goshSpec, labbeSpec } from '../../plots/diagnostic-plots.ts';
import { forestDataColumns } from '../../plots/forest-columns.ts';
import { forestFromAnalysis, forestFromSubgroups, forestOfRefits, measureLabel } from '../../plots/forest-data.ts';
import { forestSpec } from '../../plots/forest.ts';
import { renderToBuffer } from '../../plots/render.ts';
import { numericColumn } from '../../io/csv.ts';
import { type PlotFlags, effectOptions, methodOf } from '../options.ts';

const PLOT_KINDS = ['forest', 'funnel', 'baujat', 'labbe', 'bubble', 'leave-one-out', 'cumulative', 'gosh'] as const;

export async function runPlot(kind: string, file: string, flags: PlotFlags): Promise<void> {
  if (!PLOT_KINDS.includes(kind as (typeof PLOT_KINDS)[number]))
    throw new EvsynthError('INVALID_ARGUMENT', `unknown plot '${kind}'; expected one of ${PLOT_KINDS.join(', ')}`);
  const { table: t, dataset } = resolveInput(file);
  const measure = resolveMeasure(t, flags.measure ?? dataset?.provenance.measure);
  const opts: AnalysisOptions = {
    measure,
    method: parsePoolingMethod(methodOf(flags)),
    test: flags.test,
    level: flags.level,
    piType: flags.piType,
    ...effectOptions(flags),
  };
  const out = flags.out ?? `${basename(file, extname(file))}-${kind}.png`;
  const format =
    extname(out).toLowerCase() === '.svg' ? 'svg' : extname(out).toLowerCase() === '.png' ? 'png' : undefined;
  if (format === undefined)
    throw new EvsynthError('INVALID_ARGUMENT', `--out '${out}': expected a .svg or .png file name`);
  const favours = flags.favours?.split('|').map((x) => x.trim());
  const title = flags.title ?? dataset?.provenance.title;
  const labels = studyLabels(t);
  let spec: TopLevelSpec;
  if (kind === 'forest') {
    const forestOptions = {
      columns: forestDataColumns(t, measure),
      sort: flags.sort ?? ('input' as const),
      ...(title ? { title } : {}),
      ...(favours && favours.length === 2 ? { favours: [favours[0] as string, favours[1] as string] as const } : {}),
      ...(flags.sort === 'year' ? { sortKeys: Array.from(numericColumn(t, 'year')) } : {}),
    };
    if (flags.by !== undefined) {
      const by = flags.by;
      const s = inTable(t, () => subgroupAnalysis(effectColumnsFromTable(t), labels, stringColumn(t, by), by, opts));
      spec = forestSpec(forestFromSubgroups(s, forestOptions), flags.width !== undefined ? { width: flags.width } : {});
    } else {
      const a = inTable(t, () => metaAnalysis(effectColumnsFromTable(t), labels, opts));
      spec = forestSpec(forestFromAnalysis(a, forestOptions), flags.width !== undefined ? { width: flags.width } : {});
    }
  } else if (
    kind === 'funnel' ||
    kind === 'baujat' ||
    kind === 'leave-one-out' ||
    kind === 'cumulative' ||
    kind === 'gosh'
  ) {
    const a = inTable(t, () => metaAnalysis(effectColumnsFromTable(t), labels, opts));
    if (a.model.kind !== 'rma')
      throw new EvsynthError('INVALID_ARGUMENT', `a ${kind} plot needs an inverse-variance model (not MH or PETO)`);
    const fit = a.model.fit;
    const xTitleLog = (RATIO_MEASURES.has(measure) ? 'log ' : '') + measureLabel(measure);
    if (kind === 'funnel') {
      // the funnel stays centred on the observed studies' estimate; filled studies are drawn hollow
      const tf = flags.trimfill ? publicationBias(a, { trimfill: true }).trimfill : null;
      spec = funnelSpec(funnelData(fit, flags.contour ?? false), {
        xTitle: xTitleLog,
        labels: a.studies.labels,
        ...(title ? { title } : {}),
        ...(tf ? { filled: { yi: tf.filledYi, sei: Float64Array.from(tf.filledVi, Math.sqrt) } } : {}),
      });
    } else if (kind === 'baujat') {
      spec = baujatSpec(baujat(fit), a.studies.labels, title);
    } else if (kind === 'gosh') {
      const onProgress = progressBar('GOSH subsets');
      const s = await sensitivityAnalyses(a, {
        gosh: {
          ...(flags.subsets !== undefined ? { subsets: flags.subsets } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(onProgress ? { onProgress } : {}),
        },
      });
      const g = s.gosh?.result;
      spec = goshSpec(g?.estimate ?? [], g?.I2 ?? [], { xTitle: xTitleLog, ...(title ? { title } : {}) });
    } else {
      const order = flags.order;
      const s = await sensitivityAnalyses(
        a,
        kind === 'leave-one-out'
          ? { leaveOneOut: true }
          : {
              cumulative: order
                ? { column: order, key: Float64Array.from(a.studies.rows, (r) => numericColumn(t, order)[r] as number) }
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
      spec = forestSpec(
        forestOfRefits(a, rows, {
          kind,
          ...(title ? { title } : {}),
          ...(favours && favours.length === 2
            ? { favours: [favours[0] as string, favours[1] as string] as const }
            : {}),
        }),
        flags.width !== undefined ? { width: flags.width } : {},
      );
    }
  } else if (kind === 'labbe') {
    if (!['RR', 'OR', 'RD', 'PETO'].includes(measure))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `a L'Abbé plot needs 2×2 tables (--measure RR, OR, RD or PETO); measure is ${measure}`,
      );
    spec = labbeSpec(
      inTable(t, () => armEventRates(effectColumnsFromTable(t), labels.length)),
      labels,
      title ? { title } : {},
    );
  } else {
    const formula = flags.mods ?? (flags.mod && flags.mod.length > 0 ? flags.mod.join(' + ') : undefined);
    if (formula === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'a bubble plot needs --mods or --mod');
    const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
    const r = inTable(t, () => metaRegression(effectColumnsFromTable(t), labels, moderatorColumns, formula, opts));
    const j = r.fit.design.names[0] === 'intrcpt' ? 1 : 0;
    const points = r.labels.map((label, i) => ({
      x: r.fit.design.x[i * r.fit.design.p + j] as number,
      y: r.fit.yi[i] as number,
      weight: r.fit.weights[i] as number,
      label,
    }));
    spec = bubbleSpec(points, regressionBands(r), {
      xTitle: r.fit.design.names[j] ?? 'moderator',
      yTitle: measureLabel(measure),
      ...(title ? { title } : {}),
    });
  }
  const buf = await renderToBuffer(spec, format);
  mkdirSync(dirname(out) || '.', { recursive: true });
  writeFileSync(out, buf);
  process.stdout.write(`wrote ${out}\n`);
}
