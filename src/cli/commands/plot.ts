/** `evsynth plot <kind>`: every plot of the plot registry, written as SVG or PNG. */
import { basename, extname } from 'node:path';
import { EvsynthError } from '../../core/errors.ts';
import { sanitizeText } from '../../core/text.ts';
import { goshParallel } from '../../diagnostics/gosh-parallel.ts';
import type { TopLevelSpec } from 'vega-lite';
import { multilevelContext, multilevelTable } from '../../analysis/multilevel.ts';
import { stringColumn } from '../../io/csv.ts';
import { parseRandom, termColumns } from '../../models/mv/random-terms.ts';
import { studyDataColumns } from '../../plots/data-columns.ts';
import { forestSpec } from '../../plots/forest.ts';
import { parsePlotKind, plotSpec } from '../../plots/registry.ts';
import { specWarnings } from '../../plots/spec-warnings.ts';
import { forestFromMultilevel } from '../../report/multilevel-forest.ts';
import { summarizeMultilevel } from '../../report/multilevel-text.ts';
import { toJson } from '../json.ts';
import { commandInput } from '../input.ts';
import { checkOutputPath, writeOutput } from '../output.ts';
import type { PlotFlags } from '../options.ts';
import { progressBar } from '../progress.ts';
import { moderatorFormula } from './analyze.ts';
import { multilevelRequest, rejectMultilevelOnly, wantsMultilevel, type MultilevelFlags } from './multilevel.ts';

export async function runPlot(kindName: string, file: string, flags: PlotFlags & MultilevelFlags): Promise<void> {
  const kind = parsePlotKind(kindName);
  const multilevel = wantsMultilevel(flags);
  rejectMultilevelOnly(flags);
  if (multilevel && kind !== 'forest')
    throw new EvsynthError('INVALID_ARGUMENT', `--random, --V and --robust are for the forest plot, not ${kind}`);
  if (multilevel && flags.by !== undefined)
    throw new EvsynthError('INVALID_ARGUMENT', '--by cannot be combined with --random, --V or --robust');
  const out = flags.out ?? `${file === '-' ? 'stdin' : basename(file, extname(file))}-${kind}.png`;
  const ext = extname(out).toLowerCase();
  const format = ext === '.svg' ? 'svg' : ext === '.png' ? 'png' : undefined;
  if (format === undefined)
    throw new EvsynthError('INVALID_ARGUMENT', `--out '${out}': expected a .svg or .png file name`);
  if (moderatorFormula(flags) !== undefined && !multilevel && kind !== 'bubble' && kind !== 'baujat')
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `--mods is for the bubble and Baujat plots (and a forest plot with --random or --V); a ${kind} plot would ignore it`,
    );
  if (!flags.json) checkOutputPath(out, '--out', [file]); // before any work
  const { table, request, context, title, dataset } = commandInput(file, flags);
  const favours = flags.favours?.split('|').map((x) => sanitizeText(x.trim()));
  const mods = moderatorFormula(flags);
  const onProgress = kind === 'gosh' ? progressBar('GOSH subsets') : undefined;
  const titled = (flags.title ?? title) !== undefined ? { title: sanitizeText((flags.title ?? title) as string) } : {};
  const favoursOption =
    favours && favours.length === 2 ? { favours: [favours[0] as string, favours[1] as string] as const } : {};
  if (multilevel) {
    // the forest plot of a dependent-effects model: rows grouped by the first random term's outer factor (else the
    // robust clusters), each with its weight in the model
    const ml = { ...multilevelRequest(flags, mods, undefined), profile: false };
    const a = multilevelTable(table, { ...request, ...ml }, multilevelContext(context, dataset));
    const first = ml.random && ml.random.length > 0 ? parseRandom(ml.random)[0] : undefined;
    const outer = first ? termColumns(first)[first.kind === 'intercept' ? 0 : 1] : ml.robust?.cluster;
    const groupBy = outer !== undefined && table.header.includes(outer) ? stringColumn(table, outer) : undefined;
    const input = forestFromMultilevel(summarizeMultilevel(a), {
      columns: studyDataColumns(table, a.measure),
      ...(groupBy ? { groupBy } : {}),
      ...titled,
      ...favoursOption,
    });
    const forestOptions = {
      ...(flags.width !== undefined ? { width: flags.width } : {}),
      ...(flags.maxStudies !== undefined ? { maxStudies: flags.maxStudies } : {}),
    };
    return write(forestSpec(input, forestOptions), out, format, flags.json);
  }
  const spec = await plotSpec(kind, {
    table,
    analysis: request,
    context,
    ...titled,
    ...favoursOption,
    ...(flags.width !== undefined ? { width: flags.width } : {}),
    ...(flags.maxStudies !== undefined ? { maxStudies: flags.maxStudies } : {}),
    ...(flags.sort !== undefined ? { sort: flags.sort } : {}),
    ...(flags.contour ? { contour: true } : {}),
    ...(flags.trimfill ? { trimfill: true } : {}),
    ...(flags.order !== undefined ? { order: flags.order } : {}),
    ...(mods !== undefined ? { mods } : {}),
    ...(flags.subsets !== undefined ? { subsets: flags.subsets } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...(flags.unweighted ? { unweighted: true } : {}),
    goshRunner: goshParallel,
  });
  return write(spec, out, format, flags.json);
}

async function write(spec: TopLevelSpec, out: string, format: 'svg' | 'png', json: boolean | undefined): Promise<void> {
  if (json) {
    // --json: the vega-lite spec itself (render it with vega-lite anywhere, e.g. the Vega editor)
    for (const w of specWarnings(spec)) process.stderr.write(`evsynth: warning: ${w}\n`);
    process.stdout.write(toJson(spec) + '\n');
    return;
  }
  const { renderPlot } = await import('../../plots/render.ts');
  const rendered = await renderPlot(spec, format);
  for (const w of rendered.warnings) process.stderr.write(`evsynth: warning: ${w}\n`);
  writeOutput(out, rendered.data);
  process.stdout.write(`wrote ${out}\n`);
}
