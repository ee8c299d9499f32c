// Bundles the command line (src/cli/run.ts) into dist/bin/ with esbuild, so that `evsynth` starts from a few
// files instead of hundreds of small modules. Code splitting keeps each command's code in its own chunk,
// loaded when the command runs. Only the small dependencies every command needs at start (commander,
// csv-parse, the @stdlib distribution functions) are bundled; the others (vega, vega-lite, resvg, fonts,
// docx, zip and XML readers) stay external and load on first use. The workers are one-line shims that load
// the library's compiled workers (dist/diagnostics, dist/models). The library itself (dist/*.js, .d.ts) is
// tsc's output; this only adds the CLI bundle.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const BUNDLED = /^(commander|csv-parse|@stdlib\/)/;
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED.test(d));

await build({
  entryPoints: { evsynth: 'src/cli/run.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  // chunks beside the entry: modules find package files (datasets/, package.json) relative to their own URL
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  sourcemap: false,
  external,
  // CommonJS dependencies bundled into an ES module need `require` for Node's built-ins
  banner: {
    js: "import { createRequire as __evsynthRequire } from 'node:module'; const require = __evsynthRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

mkdirSync('dist/bin', { recursive: true });
for (const [name, target] of [
  ['gosh-worker', '../diagnostics/gosh-worker.js'],
  ['batch-worker', '../models/batch-worker.js'],
])
  writeFileSync(
    `dist/bin/${name}.js`,
    `// worker entry of the bundled CLI: the library's compiled worker\nimport '${target}';\n`,
  );
