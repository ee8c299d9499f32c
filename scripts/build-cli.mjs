// Bundles the command line (src/cli/run.ts; bin/evsynth.cjs is its entry) into dist/bin/ with esbuild, so that `evsynth` starts from a few
// files instead of hundreds of small modules. Code splitting keeps each command's code in its own chunk,
// loaded when the command runs. Only the small dependencies every command needs at start (commander,
// csv-parse, the @stdlib distribution functions) are bundled; the others (vega, vega-lite, resvg, fonts,
// docx, zip and XML readers) stay external and load on first use. The worker threads are bundled too (dist/workers,
// below). The library itself (dist/*.js, .d.ts) is tsc's output; this only adds the bundles.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const BUNDLED = /^(commander|csv-parse|@stdlib\/)/;
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.test(d));

// The @stdlib functions (the distributions) are most of the bundled code: the chi-square quantile alone, which only
// the Paule–Mandel median estimator calls, is 80 kB. The bundles below therefore load them from one shared bundle,
// dist/stdlib.cjs, on their first call, so that a command or a worker that needs none of them does not load them,
// and the package holds one copy of them. Nothing is implemented twice: dist/stdlib.cjs is the same @stdlib packages,
// bundled. Every bundle sits one folder below dist/, so each finds the file at ../stdlib.cjs.
const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const deferred = new Set();
/** Defers every @stdlib import of evsynth's sources to dist/stdlib.cjs, except those in `eager` (bundled as usual). */
const deferStdlib = (eager = new Set()) => ({
  name: 'defer-stdlib',
  setup(b) {
    b.onResolve({ filter: /^@stdlib\// }, (a) =>
      a.importer.startsWith(srcDir) && !eager.has(a.path) ? { path: a.path, namespace: 'deferred-stdlib' } : undefined,
    );
    // every @stdlib function evsynth imports is a plain function: forward its calls, loading it on the first
    b.onLoad({ filter: /.*/, namespace: 'deferred-stdlib' }, (a) => {
      deferred.add(a.path);
      return {
        contents: `'use strict';\nlet f;\nmodule.exports = function (...args) {\n  return (f ??= require('../stdlib.cjs')[${JSON.stringify(a.path)}])(...args);\n};\n`,
        loader: 'js',
      };
    });
    b.onResolve({ filter: /^\.\.\/stdlib\.cjs$/ }, () => ({ path: '../stdlib.cjs', external: true }));
  },
});

// a fresh folder: chunks are named by content hash, so an earlier build's chunks would otherwise stay (and be packed)
rmSync('dist/bin', { recursive: true, force: true });

// the command line: ES modules for Node 20, split into chunks beside their entries (modules find package files such
// as datasets/ and package.json relative to their own URL)
const bundle = {
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  sourcemap: false,
  plugins: [deferStdlib()],
  // CommonJS dependencies bundled into an ES module need `require` for Node's built-ins (and for dist/stdlib.cjs)
  banner: {
    js: "import { createRequire as __evsynthRequire } from 'node:module'; const require = __evsynthRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await build({ ...bundle, entryPoints: { evsynth: 'src/cli/run.ts' }, outdir: 'dist/bin', external });

// Help and version (src/cli/launch.ts) as one small CommonJS file with commander inside: bin/evsynth.cjs answers
// `--help` from it without Node's ES module loader or the engine.
/** One CommonJS file for Node 20: the help bundle, each worker and the shared @stdlib file. */
const cjsBundle = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
};
await build({ ...cjsBundle, entryPoints: ['src/cli/launch.ts'], outfile: 'dist/bin/help.cjs' });

// The worker threads (GOSH subsets, batches of fits): each worker is one CommonJS file in dist/workers/ (started by
// src/core/worker.ts), because a worker's start-up is mostly the loading of its code (bench:startup, next to an empty
// worker): CommonJS spares the worker Node's ES module loader, and one file per worker spares it the other worker's
// code (a shared chunk made the GOSH worker load the batch worker's distributions too). The GOSH worker needs no
// @stdlib function unless the Paule–Mandel median estimator runs; the normal distribution, which every batch needs for
// its z-tests and intervals, is inside the batch worker, everything else comes from dist/stdlib.cjs when called.
rmSync('dist/workers', { recursive: true, force: true });
for (const [name, entry] of [
  ['gosh-worker', 'src/diagnostics/gosh-worker.ts'],
  ['batch-worker', 'src/models/batch-worker.ts'],
]) {
  const eager =
    name === 'batch-worker' ? ['@stdlib/stats-base-dists-normal-cdf', '@stdlib/stats-base-dists-normal-quantile'] : [];
  await build({
    ...cjsBundle,
    entryPoints: [entry],
    outfile: `dist/workers/${name}.cjs`,
    plugins: [deferStdlib(new Set(eager))],
  });
  // tsc's module of the entry is reachable from nowhere: the worker starts from the bundle
  for (const ext of ['.js', '.js.map', '.d.ts']) rmSync(`dist/${entry.slice(4, -3)}${ext}`, { force: true });
}
// the shared file: every @stdlib function a bundle above deferred
await build({
  ...cjsBundle,
  stdin: {
    contents: [...deferred]
      .sort()
      .map((p) => `exports[${JSON.stringify(p)}] = require(${JSON.stringify(p)});`)
      .join('\n'),
    resolveDir: '.',
    sourcefile: 'stdlib.cjs',
  },
  outfile: 'dist/stdlib.cjs',
});

// The command manifest (src/cli/help-manifest.ts): what `evsynth --help` shows, taken from the program itself
// (tsc's dist/cli/main.js), so that the bundled entry answers help and version requests without loading the CLI.
const { programManifest } = await import(new URL('../dist/cli/main.js', import.meta.url).href);
writeFileSync('dist/bin/commands.json', `${JSON.stringify(programManifest())}\n`);
