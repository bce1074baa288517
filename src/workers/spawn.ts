// Starting a worker thread from a module that may run compiled (dist/) or as
// TypeScript source (vitest, tsx).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * `name` is the worker module's base name beside `from` (the caller's import.meta.url).
 * The compiled .js is used when it exists; otherwise a small eval'd bootstrap registers
 * tsx (a dev dependency) in the worker and imports the .ts source, so tests need no
 * build step. (Node 20 does not pass --import loaders on to workers.)
 */
export function spawnWorker(from: string, name: string, workerData: unknown): Worker {
  const js = new URL(`./${name}.js`, from);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL(`./${name}.ts`, from).href;
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
