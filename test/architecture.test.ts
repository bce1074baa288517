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

  // The command line sits on top: serve and export never reach back up into cli/, and
  // serve/ never imports export/ (export may use serve's model types), so no cycle is possible.
  it('no import cycle between src/cli, src/serve and src/export', () => {
    const forbidden: Record<string, string[]> = { 'src/serve': ['src/cli', 'src/export'], 'src/export': ['src/cli'] };
    const bad: string[] = [];
    for (const [dir, banned] of Object.entries(forbidden)) {
      for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.ts'))) {
        const file = path.join(dir, f);
        // Static and dynamic imports alike: a lazy import() is still an edge of the cycle.
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
          const target = path.normalize(path.join(path.dirname(file), spec));
          if (banned.some((b) => target === b || target.startsWith(b + path.sep))) bad.push(`${file} -> ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('the HTTP app is built without listening: src/serve/app.ts never calls serve() or listen()', () => {
    const src = readFileSync('src/serve/app.ts', 'utf8');
    expect(src).not.toMatch(/\bserve\(|\.listen\(/);
    expect(src).toMatch(/export function createApp\(/);
  });
});
