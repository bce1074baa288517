// Builds the page (src/web) into dist/web: `npm run build:web`.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  clearScreen: false,
  resolve: {
    // onnxruntime-web's "extern wasm" builds load their .mjs/.wasm from env.wasm.wasmPaths
    // (our /ort/ route, straight from the installed package) instead of Vite copying
    // 14-27 MB of WASM into the bundle.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  // The training worker imports onnxruntime-web's backends on demand: ES module workers split chunks.
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
});
