// Models for the serve tests: a quickly trained real one (cached across test
// files and runs, retrained when the graph or training code changes) and a
// deliberately slow one, for showing that HTTP stays responsive during a run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_SIZE, NORMALIZATION } from '../../src/data/mnist-spec.js';
import { buildInference } from '../../src/programs/inference.js';
import { mlp } from '../../src/model/mlp.js';
import { mulberry32 } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceHash(): string {
  const h = createHash('sha256');
  // Everything `train` runs: the builder, model, optimizer, programs, core and Node adapter.
  for (const dir of ['src/graph', 'src/model', 'src/optim', 'src/programs', 'src/train', 'src/node', 'src/data']) {
    for (const f of readdirSync(path.join(root, dir)).sort()) h.update(f).update(readFileSync(path.join(root, dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** A real artifact from `onnx-mnist train` on 10,000 images (about 90% accurate; a few seconds). */
export function trainedModel(): string {
  const out = path.join(tmpdir(), `onnx-mnist-serve-test-${sourceHash()}`);
  const model = path.join(out, 'mnist-mlp.onnx');
  if (existsSync(model)) return model;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--epochs', '2', '--limit', '10000', '--out', out], {
    cwd: root, encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(model)) throw new Error(`training the test model failed:\n${r.stderr}\n${r.stdout}`);
  return model;
}

/** An untrained MLP with wide hidden layers: a 256-image batch takes a good fraction of a second on one thread. */
export async function slowModel(): Promise<string> {
  const file = path.join(tmpdir(), 'onnx-mnist-serve-test-slow', 'slow-4096-2048.onnx');
  if (existsSync(file)) return file;
  const model = mlp(IMAGE_SIZE, [4096, 2048], 10);
  const graph = buildInference(model, model.init(mulberry32(1)), NORMALIZATION, [28, 28]);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, serializeModel(graph));
  await rename(`${file}.tmp`, file); // never leave a half-written model for the next run
  return file;
}
