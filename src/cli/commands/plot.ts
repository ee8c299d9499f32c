/** `evsynth plot <kind>`: every plot of the plot registry, written as SVG or PNG. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { EvsynthError } from '../../core/errors.ts';
import { goshParallel } from '../../diagnostics/gosh-parallel.ts';
import type { TopLevelSpec } from 'vega-lite';
import { multilevelTable } from '../../analysis/multilevel.ts';
import { stringColumn } from '../../io/csv.ts';
import { parseRandom, termColumns } from '../../models/mv/random-terms.ts';
import { studyDataColumns } from '../../plots/data-columns.ts';
import { forestSpec } from '../../plots/forest.ts';
import { parsePlotKind, plotSpec } from '../../plots/registry.ts';
import { forestFromMultilevel } from '../../report/multilevel-forest.ts';
import { summarizeMultilevel } from '../../report/multilevel-text.ts';
import { toJson } from '../json.ts';
import { commandInput } from '../input.ts';
import type { PlotFlags } from '../options.ts';
import { progressBar } from '../progress.ts';
import { moderatorFormula } from './analyze.ts';
import { multilevelContext, multilevelRequest, wantsMultilevel, type MultilevelFlags } from './multilevel.ts';

export async function runPlot(kindName: string, file: string, flags: PlotFlags & MultilevelFlags): Promise<void> {
  const kind = parsePlotKind(kindName);
  const multilevel = wantsMultilevel(flags);
  if (multilevel && kind !== 'forest')
    throw new EvsynthError('INVALID_ARGUMENT', `--random, --V and --robust are for the forest plot, not ${kind}`);
  if (multilevel && flags.by !== undefined)
    throw new EvsynthError('INVALID_ARGUMENT', '--by cannot be combined with --random, --V or --robust');
  const { table, request, context, title, dataset } = commandInput(file, flags);
  const out = flags.out ?? `${basename(file, extname(file))}-${kind}.png`;
  const ext = extname(out).toLowerCase();
  const format = ext === '.svg' ? 'svg' : ext === '.png' ? 'png' : undefined;
  if (format === undefined)
    throw new EvsynthError('INVALID_ARGUMENT', `--out '${out}': expected a .svg or .png file name`);
  const favours = flags.favours?.split('|').map((x) => x.trim());
  const mods = moderatorFormula(flags);
  const onProgress = kind === 'gosh' ? progressBar('GOSH subsets') : undefined;
  const titled = (flags.title ?? title) !== undefined ? { title: (flags.title ?? title) as string } : {};
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
    return write(forestSpec(input, flags.width !== undefined ? { width: flags.width } : {}), out, format, flags.json);
  }
  const spec = await plotSpec(kind, {
    table,
    analysis: request,
    context,
    ...titled,
    ...favoursOption,
    ...(flags.width !== undefined ? { width: flags.width } : {}),
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
    process.stdout.write(toJson(spec) + '\n');
    return;
  }
  const { renderToBuffer } = await import('../../plots/render.ts');
  const buf = await renderToBuffer(spec, format);
  mkdirSync(dirname(out) || '.', { recursive: true });
  writeFileSync(out, buf);
  process.stdout.write(`wrote ${out}\n`);
}
