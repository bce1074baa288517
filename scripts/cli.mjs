#!/usr/bin/env node
// What `npm run train` and `npm run serve` run: the compiled CLI in dist/ (built by `npm ci` through the
// prepare script) when it is at least as new as every file under src/, else the
// TypeScript sources through tsx. tsx costs ~0.17 s of startup per run; a stale build
// is never run, because any edit under src/ makes the sources newer than dist/.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
  const p = path.join(dir, e.name);
  return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
}, 0);
const built = path.join(root, 'dist/src/cli/main.js');
let fresh = false;
try { fresh = statSync(built).mtimeMs >= newest(path.join(root, 'src')); } catch { /* not built */ }
if (process.env.ONNX_MNIST_DEBUG_LAUNCH) console.error(`launch: ${fresh ? 'dist (compiled)' : 'src via tsx'}`);
if (!fresh) (await import('tsx/esm/api')).register();
await import(pathToFileURL(fresh ? built : path.join(root, 'src/cli/main.ts')).href);
