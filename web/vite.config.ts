import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Static build of the explorer into web/dist (relative paths: open from any static server).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { fs: { allow: ['..'] } },
});
