// `onnx-mnist serve` as a user runs it (export: test/export/cli.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainedModel } from './helpers.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
let model: string;
let dir: string;
beforeAll(async () => {
  model = trainedModel();
  dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-cli-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('onnx-mnist serve', () => {
  it('says how to make an artifact when there is none', () => {
    const r = spawnSync(process.execPath, [...CLI, 'serve', '--model', path.join(dir, 'missing.onnx'), '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no model at .*missing\.onnx.*onnx-mnist train.*artifacts\/mnist-mlp\.onnx/);
  });

  it('refuses a model name that is not one folder name, as export does', () => {
    const r = spawnSync(process.execPath, [...CLI, 'serve', '--model', model, '--port', '0', '--name', 'a/b'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/option '--name <name>' argument 'a\/b' is invalid\. model name "a\/b" contains a path separator/);
  });

  it('serves, then on SIGTERM finishes and exits 0', async () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--model', model, '--port', '0', '--name', 'digits'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!/^ready: /m.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect((await fetch(`${url}/v2/models/digits/ready`)).status).toBe(200);
    const res = await fetch(`${url}/v2/models/digits/infer`, {
      method: 'POST', body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'UINT8', data: Array(784).fill(0) }] }),
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM: no new connections; finishing queued requests\nstopped/);
  });
});
