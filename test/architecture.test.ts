// Runtimes stay at the edges: the graph builder and the data modules the browser
// bundles import no ONNX Runtime and no Node-only module, so the same code runs in
// the page, the server and the trainer.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
const NODE_ONLY = /^(node:|fs$|path$|os$|crypto$|zlib$|worker_threads$|child_process$|onnxruntime-node|onnxruntime-web|sharp|hono|@hono\/)/;

describe('architecture', () => {
  const browserSafe = [
    ...readdirSync('src/graph').map((f) => path.join('src/graph', f)),
    ...['idx.ts', 'mnist-spec.ts', 'preprocess.ts', 'raster.ts'].map((f) => path.join('src/data', f)),
    ...readdirSync('src/contract').map((f) => path.join('src/contract', f)),
  ];

  for (const file of browserSafe) {
    it(`${file} imports no runtime and no Node-only module`, () => {
      const bad = imports(file).filter((spec) => NODE_ONLY.test(spec));
      expect(bad).toEqual([]);
      // Relative imports stay inside the browser-safe set.
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = path.normalize(path.join(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        expect(browserSafe, `${file} -> ${spec}`).toContain(target);
      }
    });
  }

  it('the artifact contract (src/contract) the page bundles reads ONNX without a protobuf library', () => {
    for (const f of readdirSync('src/contract')) expect(imports(path.join('src/contract', f)).filter((s) => /^(onnx-proto|protobufjs)/.test(s))).toEqual([]);
  });

  it('the HTTP app is built without listening: src/serve/app.ts never calls serve() or listen()', () => {
    const src = readFileSync('src/serve/app.ts', 'utf8');
    expect(src).not.toMatch(/\bserve\(|\.listen\(/);
    expect(src).toMatch(/export function createApp\(/);
  });
});
