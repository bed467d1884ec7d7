/**
 * Builds the web app into web/dist, which `herald serve` serves at `/` (src/http/static-web.ts).
 * `vite` (dev) proxies /api to a Herald on HERALD_DEV_API or http://localhost:3000.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts; the preload polyfill is unneeded in evergreen browsers anyway.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://localhost:3000' },
  },
});
