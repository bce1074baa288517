// Which folder may import which: the table below is the architecture (drawn in
// docs/architecture.md). Runtimes stay at the edges: the builder, the model, the
// optimizers, the programs and the training core import no ONNX Runtime and no
// Node-only module, so the page, the server and the trainer run the same code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2]);
const NODE_ONLY = /^(node:|fs$|path$|os$|crypto$|zlib$|worker_threads$|child_process$|onnxruntime-node|onnxruntime-web|sharp|hono|@hono\/|commander|cli-progress|prom-client)/;
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
  });
/** src/<folder>/... -> folder; a file directly in src/ (version.ts) -> its own name. */
const folderOf = (file: string) => path.relative('src', file).split(path.sep)[0].replace(/\.[jt]s$/, '');

/** Folders that run in the browser as they are: no runtime, no Node-only module. */
const BROWSER_SAFE = ['graph', 'model', 'optim', 'programs', 'train', 'data', 'contract', 'report', 'inspect', 'version'];

/** What each folder may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  graph: [],
  model: ['graph'],
  optim: ['graph', 'model'],
  programs: ['graph', 'model', 'optim', 'data', 'contract'],
  train: ['graph', 'model', 'optim', 'programs', 'data', 'contract', 'version'],
  data: [],
  contract: ['data', 'version'],
  report: ['contract'],
  inspect: [],
  version: [],
  workers: [],
  node: ['graph', 'model', 'optim', 'programs', 'train', 'data', 'contract', 'report', 'workers', 'version'],
  serve: ['data', 'contract', 'workers', 'web', 'graph', 'version'],
  web: ['train', 'data', 'contract', 'graph'],
  export: ['serve', 'node', 'contract'],
  cli: ['node', 'serve', 'export', 'report', 'inspect', 'train', 'optim', 'data', 'contract', 'version'],
};

describe('architecture', () => {
  const files = sources('src');

  it('every folder of src/ has a row in the import table', () => {
    expect([...new Set(files.map(folderOf))].filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  for (const folder of Object.keys(ALLOWED)) {
    it(`src/${folder} imports only ${ALLOWED[folder].join(', ') || 'nothing else of ours'}${BROWSER_SAFE.includes(folder) ? ', and no runtime or Node-only module' : ''}`, () => {
      const bad: string[] = [];
      for (const file of files.filter((f) => folderOf(f) === folder)) {
        for (const spec of imports(file)) {
          if (spec.startsWith('.')) {
            const target = folderOf(path.join(path.dirname(file), spec));
            if (target !== folder && !ALLOWED[folder].includes(target)) bad.push(`${file} -> ${spec}`);
          } else if (BROWSER_SAFE.includes(folder) && NODE_ONLY.test(spec)) bad.push(`${file} -> ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('the HTTP app is built without listening: src/serve/app.ts never calls serve() or listen()', () => {
    const src = readFileSync('src/serve/app.ts', 'utf8');
    expect(src).not.toMatch(/\bserve\(|\.listen\(/);
    expect(src).toMatch(/export function createApp\(/);
  });
});
