import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Static build of the explorer into web/dist (relative paths: open from any static server). The explorer imports
// the package's pure entry point `evsynth` by name, built here from its source (src/index.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { evsynth: fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { fs: { allow: ['..'] } },
});
