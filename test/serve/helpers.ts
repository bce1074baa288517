// Models for the serve tests: a quickly trained real one (cached across test
// files and runs, retrained when the graph or training code changes) and a
// deliberately slow one, for showing that HTTP stays responsive during a run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** A binary UINT8 OIP request of n images (every pixel `value`), asking for the label only. */
export function binaryBatch(n: number, value = 40): { method: 'POST'; body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const bytes = new Uint8Array(n * IMAGE_SIZE).fill(value);
  const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype: 'UINT8', parameters: { binary_data_size: bytes.length } }], outputs: [{ name: 'label' }] }));
  const body = new Uint8Array(header.length + bytes.length);
  body.set(header);
  body.set(bytes, header.length);
  return { method: 'POST', body, headers: { 'inference-header-content-length': String(header.length) } };
}

/** `onnx-mnist serve` (or what `args` starts) in a child process, once it says it is ready. */
export async function startCli(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/^ready: /m.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  if (!url || !/^ready: /m.test(out)) throw new Error(`the server did not get ready:\n${out}`);
  return { url, child, output: () => out, exited };
}
