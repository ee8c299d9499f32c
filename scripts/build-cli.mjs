// Bundles the command line (src/cli/run.ts) and its worker entries into dist/bin/ with esbuild, so that
// `evsynth` starts from one file instead of hundreds of small modules. vega, vega-lite, resvg and the
// fonts stay external and are loaded only when a plot is rendered. The library (dist/*.js, .d.ts) is
// tsc's output; this only adds the CLI bundle.
import { build } from 'esbuild';

await build({
  entryPoints: {
    evsynth: 'src/cli/run.ts',
    'gosh-worker': 'src/diagnostics/gosh-worker.ts',
    'batch-worker': 'src/models/batch-worker.ts',
  },
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  sourcemap: false,
  external: ['vega', 'vega-lite', '@resvg/resvg-js', 'dejavu-fonts-ttf'],
  // CommonJS dependencies bundled into an ES module need `require` for Node's built-ins
  banner: {
    js: "import { createRequire as __evsynthRequire } from 'node:module'; const require = __evsynthRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
