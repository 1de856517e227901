/**
 * Builds the dashboard page (web/) into dist-web/, which the server serves at `/`
 * (src/server/static.ts). Relative asset URLs, so the page also works behind a path prefix.
 * Everything is bundled: the page loads nothing from the network but its own server.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: './',
  publicDir: false,
  build: {
    outDir: '../dist-web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
