/** The evsynth command line: the commands and their options (the work is in ./commands/). */
import { Command, Option } from 'commander';
import { EvsynthError } from '../core/errors.ts';
import { describePoolingMethods } from '../models/pooling-methods.ts';
import { PLOT_KINDS, PLOTS } from '../plots/registry.ts';
import { REGTEST_PREDICTORS } from '../diagnostics/egger.ts';
import { FSN_TYPES } from '../diagnostics/fail-safe.ts';
import {
  number,
  integer,
  addEffectOptions,
  addFormatOption,
  addModelOptions,
  addGoshOptions,
  addModeratorOptions,
  addSubgroupOptions,
} from './options.ts';
import { addMultilevelOptions } from './commands/multilevel.ts';
import { SOF_FORMATS } from './options.ts';
import { commandManifest, type CommandEntry } from './help-manifest.ts';
import { version } from './version.ts';

// Command modules load when their command runs, so that `evsynth --help` and `evsynth fit` start without
// loading what other commands need (GRADE reports, Word output, imports, rendering).
type Action = (...args: never[]) => number | void | Promise<number | void>;
const lazy =
  <M extends Record<K, Action>, K extends string>(load: () => Promise<M>, name: K) =>
  async (...args: Parameters<M[K]>): Promise<number | void> =>
    (await load())[name](...args);
const analyzeCmd = () => import('./commands/analyze.ts');
const plotCmd = () => import('./commands/plot.ts');
const diagnoseCmd = () => import('./commands/diagnose.ts');
const evidenceCmd = () => import('./commands/evidence.ts');
const updateCmd = () => import('./commands/update.ts');
const importCmd = () => import('./commands/import.ts');
const exportCmd = () => import('./commands/export.ts');
const gradeCmd = () => import('./commands/grade.ts');
const runEffects = lazy(analyzeCmd, 'runEffects');
const runFit = lazy(analyzeCmd, 'runFit');
const runRegress = lazy(analyzeCmd, 'runRegress');
const runPlot = lazy(plotCmd, 'runPlot');
const runSensitivity = lazy(diagnoseCmd, 'runSensitivity');
const runBias = lazy(diagnoseCmd, 'runBias');
const runDatasets = lazy(evidenceCmd, 'runDatasets');
const runReproduce = lazy(evidenceCmd, 'runReproduce');
const runStart = lazy(evidenceCmd, 'runStart');
const runDiff = lazy(updateCmd, 'runDiff');
const runUpdate = lazy(updateCmd, 'runUpdate');
const runImport = lazy(importCmd, 'runImport');
const runExport = lazy(exportCmd, 'runExport');
const runSof = lazy(gradeCmd, 'runSof');
const runReport = lazy(gradeCmd, 'runReport');

function buildProgram(exit: { code: number }): Command {
  // usage errors throw (exit 2, see main) instead of exiting; subcommands inherit this from the program
  const program = new Command('evsynth')
    .description('Evidence synthesis (meta-analysis) at parity with R metafor')
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // commands may return an exit code (reproduce: 1 when a recomputed value differs from the published one)
  const run =
    <A extends unknown[]>(f: (...args: A) => number | void | Promise<number | void>) =>
    async (...args: A): Promise<void> => {
      exit.code = (await f(...args)) ?? 0;
    };
  addFormatOption(
    addEffectOptions(
      program
        .command('effects <file>')
        .description('per-study effect sizes yi and sampling variances vi (metafor escalc)'),
    ),
  ).action(run(runEffects));
  addFormatOption(
    addEffectOptions(
      addSubgroupOptions(
        addModelOptions(
          addMultilevelOptions(
            program
              .command('fit <file>')
              .description(
                'fit a meta-analysis model (metafor rma.uni / rma.mh / rma.peto; rma.mv with --random or --V)',
              ),
          ),
        ),
      ),
    ),
  )
    .option('--no-studies', 'text output: leave out the per-study table')
    .option(
      '--max-studies <n>',
      'text output: study rows listed at most (default 200; a line counts the others; --format csv lists every study)',
      integer('--max-studies', 1, 1e9),
    )
    .action(run(runFit));
  addEffectOptions(
    addModeratorOptions(
      addModelOptions(
        addMultilevelOptions(
          program
            .command('regress <file>')
            .description('meta-regression on CSV columns (metafor rma with mods; rma.mv with --random or --V)'),
        ),
        describePoolingMethods(['inverse-variance']),
      ),
    )
      .option(
        '--predict <points>',
        'predict at moderator values: "10,1950; 30,1960" (one value per non-intercept coefficient)',
      )
      .option(
        '--permutations <n>',
        'permutation test with n random permutations (exact when n ≥ the number of distinct permutations)',
        number('--permutations'),
      )
      .option('--exact', 'exact permutation test over every distinct permutation')
      .option('--seed <s>', 'seed of the random permutations (default 1)', number('--seed')),
  ).action(run(runRegress));
  addEffectOptions(
    addGoshOptions(
      addSubgroupOptions(
        addModeratorOptions(
          addModelOptions(
            addMultilevelOptions(program.command('plot <kind> <file>')).description(
              `a plot written as SVG or PNG; <kind>: ${PLOT_KINDS.map((k) => `${k} (${PLOTS[k].description})`).join('; ')}`,
            ),
          ),
          'bubble and Baujat plots: the moderators (the forest plot of a model with --random or --V too)',
        ),
        'forest plot with subgroups',
      )
        .option('--out <file>', 'output file, .svg or .png (default: <input>-<kind>.png)')
        .option('--width <px>', 'forest plot width in pixels', number('--width'))
        .option(
          '--max-studies <n>',
          'forest plot: study rows drawn at most (default 200; the rest are counted on the plot and in a warning)',
          integer('--max-studies', 1, 1000),
        )
        .addOption(
          new Option('--sort <order>', 'forest plot study order')
            .choices(['input', 'effect', 'weight', 'year'])
            .default('input'),
        )
        .option('--favours <left|right>', 'labels under the forest axis, e.g. "Favours exercise|Favours control"')
        .option('--title <text>', 'plot title')
        .option('--contour', 'contour-enhanced funnel plot (significance regions around the null)')
        .option('--trimfill', 'funnel plot: add the studies filled in by trim and fill (hollow)')
        .option('--order <column>', 'cumulative plot: order by this numeric column (default input order)')
        .option('--unweighted', 'rob-summary: shares of studies instead of shares of the analysis weight'),
    ),
  ).action(run(runPlot));
  addEffectOptions(
    addModeratorOptions(
      addGoshOptions(
        addModelOptions(
          program
            .command('sensitivity <file>')
            .description(
              'leave-one-out, cumulative, influence, Baujat and GOSH analyses (all but GOSH when none is chosen); with --mods, influence diagnostics and Baujat of the meta-regression',
            ),
        ),
      ),
      'moderators of a meta-regression to diagnose (influence diagnostics and Baujat; leave-one-out and cumulative need none, as metafor)',
    )
      .option('--leave-one-out', 'refit without each study')
      .option(
        '--cumulative [column]',
        'cumulative meta-analysis, ordered by a numeric column (e.g. year) or input order',
      )
      .option(
        '--influence',
        'influence diagnostics (externally standardised residuals, DFFITS, Cook, COVRATIO, hat, DFBETAS)',
      )
      .option('--baujat', 'Baujat coordinates')
      .option('--gosh', 'GOSH: every subset up to k = 20, a seeded random sample beyond (worker threads)'),
  ).action(run(runSensitivity));
  addEffectOptions(
    addModeratorOptions(
      addModelOptions(
        program
          .command('bias <file>')
          .description(
            "publication-bias diagnostics: Egger's regression test, Begg's rank test, trim and fill, fail-safe N (all when none is chosen; each that does not apply is reported with the reason)",
          ),
      ),
      'moderators: the regression test on a meta-regression (metafor regtest on a model with mods)',
    )
      .option('--egger', 'regression test for funnel-plot asymmetry')
      .addOption(new Option('--predictor <p>', 'regression test predictor').choices(REGTEST_PREDICTORS).default('sei'))
      .addOption(
        new Option(
          '--egger-model <m>',
          "rma (metafor's default: the same model plus the predictor) or lm (classical Egger)",
        )
          .choices(['rma', 'lm'])
          .default('rma'),
      )
      .option('--begg', "Begg and Mazumdar's rank correlation test")
      .option('--trimfill', 'trim and fill')
      .addOption(new Option('--estimator <e>', 'trim-and-fill estimator').choices(['L0', 'R0']).default('L0'))
      .addOption(
        new Option('--side <s>', 'side with missing studies (default: from the data)').choices(['left', 'right']),
      )
      .option('--failsafe', 'fail-safe N')
      .addOption(new Option('--type <t>', 'fail-safe N type').choices(FSN_TYPES).default('Rosenthal'))
      .option('--target <x>', 'Orwin: target effect (default: half the mean effect)', number('--target')),
  ).action(run(runBias));
  program
    .command('datasets')
    .description('list the bundled datasets')
    .option('--json', 'print JSON')
    .action(run(runDatasets));
  program
    .command('reproduce [dataset]')
    .description("recompute each published claim of a dataset (all datasets by default) with the review's method")
    .option('--all', 'list every per-study claim, not only those that differ')
    .option(
      '--chapter [name]',
      'the chapter at a glance: every statement of a guideline chapter with its verdict (default: the bundled chapter)',
    )
    .option('--json', 'print JSON')
    .action(run(runReproduce));
  const diffOptions = (cmd: Command) =>
    addEffectOptions(addSubgroupOptions(addModelOptions(cmd)))
      .option(
        '--mid <x>',
        'minimal important difference: ±x on the measure scale (a ratio > 1 for RR, OR, …)',
        number('--mid'),
      )
      .addOption(new Option('--format <f>', 'output format').choices(['text', 'md', 'json']).default('text'));
  diffOptions(
    program
      .command('diff <before> <after>')
      .description(
        'what changed between two versions of a dataset (CSV files, dataset names, or REV:path git revisions) and whether a conclusion moved',
      ),
  ).action(run(runDiff));
  diffOptions(
    program
      .command('update <dataset> <new-rows>')
      .description(
        'add or correct study rows (matched by study_id or label + arm), show what changed and whether a conclusion moved',
      ),
  )
    .option('--out <file>', 'write the merged CSV')
    .option('--write', 'write the merged rows into the bundled dataset and add a history entry to its provenance')
    .option('--source <text>', 'with --write: where the new rows come from (paper, table, page)')
    .option('--description <text>', 'with --write: what the update is')
    .option('--date <YYYY-MM-DD>', 'with --write: date of the history entry (default today)')
    .action(run(runUpdate));
  program
    .command('import <file>')
    .description(
      "a Cochrane data package (.zip or folder), a RevMan 5 review (.rm5) or RevMan 5's CSV export → one dataset per analysis, with RevMan's printed results as claims; or a spreadsheet (.xlsx, with --map) → one dataset",
    )
    .option(
      '--out <dir>',
      'destination datasets/<name> (several analyses: <name>-<comparison>.<outcome>; default datasets/<file name>)',
    )
    .option(
      '--analysis <n>',
      'only this analysis, e.g. 1.1 (repeatable, or comma-separated)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--list', 'list the analyses and the datasets they would become; write nothing')
    .option('--force', 'replace existing dataset folders')
    .option('--citation <text>', "the review's citation for provenance.json")
    .option('--doi <doi>', "the review's DOI")
    .option('--url <url>', "the review's web address")
    .option('--obtained <text>', 'where and when the file was obtained')
    .option('--repository <repo>', 'repository the file was copied from')
    .option('--commit <sha>', 'commit of that repository')
    .option('--licence <text>', 'terms under which the data may be used')
    .option('--map <pairs>', 'spreadsheet: evsynth-column=Header pairs, e.g. study=Author,n1i=N_int,m1i=Mean_int')
    .option('--sheet <name>', 'spreadsheet: the sheet (default: the one whose header has the most mapped columns)')
    .option('-m, --measure <M>', 'spreadsheet: the measure of the dataset (e.g. SMD, OR)')
    .option('--title <text>', "spreadsheet: the dataset's title")
    .option('--keep-unmapped', 'spreadsheet: keep every other column under its header name (moderators)')
    .option('--json', 'print JSON')
    .action(run(runImport));
  addEffectOptions(
    addModelOptions(
      program
        .command('export <format> <file>')
        .description(
          "<format>: r (a self-contained R script: data inline, metafor's or meta's call with every option evsynth used, printing the same pooled estimate, CI, tau^2 and I^2), revman-csv (RevMan 5's CSV export layout) or xlsx (the rows as a spreadsheet; --out required)",
        ),
    ),
  )
    .addOption(new Option('--package <p>', 'export r: the R package').choices(['metafor', 'meta']).default('metafor'))
    .option('--by <column>', "subgroups (default: the dataset's subgroup column)")
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(run(runExport));
  program
    .command('sof <spec>')
    .description(
      'GRADE Summary of Findings table of a spec file (docs/grade.md): certainty, absolute effects, suggested ratings',
    )
    .addOption(new Option('--format <f>', 'output format').choices(SOF_FORMATS).default('md'))
    .option('--out <file>', 'write to a file (required for docx)')
    .action(run(runSof));
  program
    .command('report <spec>')
    .description(
      'one self-contained HTML report of a GRADE spec: SoF table, forest/RoB/funnel plots, sensitivity, claims, provenance, methods',
    )
    .option('--out <file>', 'output HTML file', 'report.html')
    .action(run(runReport));
  program
    .command('start')
    .description(
      'the main job (npm start): reproduce every dataset, then the flagship subgroup analysis and its forest plot',
    )
    .option('--out <dir>', 'where to write the flagship forest plot', 'out')
    .action(run(runStart));
  return program;
}

/** What the program's help shows, as JSON: written to dist/bin/commands.json by the build (./launch.ts reads it). */
export function programManifest(): CommandEntry {
  return commandManifest(buildProgram({ code: 0 }));
}

export async function main(argv: readonly string[]): Promise<number> {
  const exit = { code: 0 };
  try {
    await buildProgram(exit).parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof EvsynthError) {
      process.stderr.write(`evsynth: error: ${e.message}\n`);
      return 2;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help'
        ? 0
        : 2;
    }
    throw e;
  }
}
