// Bundles the command line (src/cli/run.ts; bin/evsynth.cjs is its entry) into dist/bin/ with esbuild, so that `evsynth` starts from a few
// files instead of hundreds of small modules. Code splitting keeps each command's code in its own chunk,
// loaded when the command runs. Only the small dependencies every command needs at start (commander,
// csv-parse, the @stdlib distribution functions) are bundled; the others (vega, vega-lite, resvg, fonts,
// docx, zip and XML readers) stay external and load on first use. The workers are one-line shims that load
// the bundled workers (dist/workers, reached through dist/diagnostics and dist/models). The library itself (dist/*.js, .d.ts) is
// tsc's output; this only adds the CLI bundle.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const BUNDLED = /^(commander|csv-parse|@stdlib\/)/;
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.test(d));

// a fresh folder: chunks are named by content hash, so an earlier build's chunks would otherwise stay (and be packed)
rmSync('dist/bin', { recursive: true, force: true });

// both bundles: ES modules for Node 20, split into chunks beside their entries (modules find package files such
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
  // CommonJS dependencies bundled into an ES module need `require` for Node's built-ins
  banner: {
    js: "import { createRequire as __evsynthRequire } from 'node:module'; const require = __evsynthRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await build({ ...bundle, entryPoints: { evsynth: 'src/cli/run.ts' }, outdir: 'dist/bin', external });

// Help and version (src/cli/launch.ts) as one small CommonJS file with commander inside: bin/evsynth.cjs answers
// `--help` from it without Node's ES module loader or the engine.
await build({
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/bin/help.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

// The worker threads (GOSH subsets, batches of fits) start faster from one bundled file than from tsc's
// hundreds of small modules (bench:startup: about 330 ms → 125 ms to a first result here): both workers are
// bundled into dist/workers/ with their shared code in one chunk, and tsc's worker modules become one-line shims.
await build({
  ...bundle,
  entryPoints: { 'gosh-worker': 'src/diagnostics/gosh-worker.ts', 'batch-worker': 'src/models/batch-worker.ts' },
  outdir: 'dist/workers',
});
for (const [file, target] of [
  ['dist/diagnostics/gosh-worker.js', '../workers/gosh-worker.js'],
  ['dist/models/batch-worker.js', '../workers/batch-worker.js'],
]) {
  writeFileSync(file, `// worker thread entry: the bundled worker (scripts/build-cli.mjs)\nimport '${target}';\n`);
  rmSync(`${file}.map`, { force: true }); // tsc's map described the unbundled module
}

// The command manifest (src/cli/help-manifest.ts): what `evsynth --help` shows, taken from the program itself
// (tsc's dist/cli/main.js), so that the bundled entry answers help and version requests without loading the CLI.
const { programManifest } = await import(new URL('../dist/cli/main.js', import.meta.url).href);
writeFileSync('dist/bin/commands.json', `${JSON.stringify(programManifest())}\n`);

mkdirSync('dist/bin', { recursive: true });
for (const [name, target] of [
  ['gosh-worker', '../diagnostics/gosh-worker.js'],
  ['batch-worker', '../models/batch-worker.js'],
])
  writeFileSync(
    `dist/bin/${name}.js`,
    `// worker entry of the bundled CLI: the library's compiled worker\nimport '${target}';\n`,
  );
