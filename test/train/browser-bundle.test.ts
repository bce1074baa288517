// The training core, the programs, the model and the optimizers bundle for the browser
// as they are: Vite builds them with browser conditions, and any import of a Node
// built-in or of an ONNX Runtime package fails the build (Vite would otherwise
// externalize node: modules with only a warning).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';

const CORE = [
  'src/train/trainer.ts', 'src/train/evaluation.ts', 'src/train/checkpoint.ts', 'src/train/settings.ts', 'src/programs/train-step.ts', 'src/programs/inference.ts',
  'src/optim/index.ts', 'src/model/mlp.ts', 'src/graph/serialize.ts',
];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const guard: Plugin = {
  name: 'browser-safe-guard',
  enforce: 'pre',
  resolveId(id, importer) {
    if (builtins.has(id) || id.startsWith('node:') || /^onnxruntime-/.test(id)) this.error(`${importer} imports ${id}`);
    return null;
  },
};

describe('the training core in a browser bundle', () => {
  it('builds with browser conditions, no Node built-in and no ONNX Runtime inside', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'core-bundle-'));
    const entry = path.join(dir, 'entry.ts'), outDir = path.join(dir, 'out');
    writeFileSync(entry, CORE.map((f, i) => `export * as m${i} from ${JSON.stringify(path.resolve(f))};`).join('\n'));
    await build({
      configFile: false, logLevel: 'silent', plugins: [guard],
      build: { outDir, lib: { entry, formats: ['es'], fileName: 'core' }, minify: false, target: 'es2022' },
    });
    const files = readdirSync(outDir);
    expect(files).toEqual(['core.js']);
    const code = readFileSync(path.join(outDir, 'core.js'), 'utf8');
    expect(code).toContain('SoftmaxCrossEntropyLoss'); // the programs are in it
    expect(code).not.toMatch(/\brequire\(["']|from ["']node:/);
  }, 60_000);
});
