// `onnx-mnist serve` as a user runs it (export: test/export/cli.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryBatch, slowModel, startCli, trainedModel } from './helpers.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
let model: string;
let dir: string;
beforeAll(async () => {
  model = trainedModel();
  dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-cli-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('onnx-mnist serve', () => {
  it('refuses a model name that is not one folder name, as export does', () => {
    const r = spawnSync(process.execPath, [...CLI, 'serve', '--model', model, '--port', '0', '--name', 'a/b'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/option '--name <name>' argument 'a\/b' is invalid\. model name "a\/b" contains a path separator/);
  });

  it('says how to make an artifact when there is none', () => {
    const r = spawnSync(process.execPath, [...CLI, 'serve', '--model', path.join(dir, 'missing.onnx'), '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no model at .*missing\.onnx.*onnx-mnist train.*artifacts\/mnist-mlp\.onnx/);
  });

  it('serves, then on SIGTERM finishes and exits 0', async () => {
    const { url, child, output, exited } = await startCli([...CLI, 'serve', '--model', model, '--port', '0', '--name', 'digits']);
    expect((await fetch(`${url}/v2/models/digits/ready`)).status).toBe(200);
    const res = await fetch(`${url}/v2/models/digits/infer`, {
      method: 'POST', body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'UINT8', data: Array(784).fill(0) }] }),
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toMatch(/SIGTERM: no new connections; finishing queued requests\nstopped/);
  });
});

describe('npm run serve', () => {
  it('runs `onnx-mnist serve` through the same launcher as `npm run train`, and stops on SIGTERM', async () => {
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts;
    expect(scripts.serve).toBe(scripts.train.replace(/ train$/, ' serve'));
    const [node, launcher, command] = scripts.serve.split(' ');
    expect(node).toBe('node');
    // A request timeout below the 10 s for headers: Node refuses that pair unless the server fits one to the other.
    const { url, child, exited } = await startCli([launcher, command, '--model', model, '--port', '0', '--request-timeout-ms', '5000']);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('onnx-mnist serve, stopped twice', () => {
  it('on a second SIGTERM during a batch refuses the queue, lets the batch finish and exits 0 (not abort, 134)', async () => {
    const { url, child, output, exited } = await startCli([...CLI, 'serve', '--model', await slowModel(), '--port', '0', '--max-batch-size', '1024']);
    // Six batches of 1024 images: one runs while the rest wait, for seconds.
    const requests = Array.from({ length: 6 }, () => fetch(`${url}/v2/models/mnist/infer`, binaryBatch(1024)).then((r) => r.status, () => 'reset'));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code, output()).toBe(0);
    expect(output()).toMatch(/SIGTERM again: refusing queued requests \(503\); stopping once the running batch ends\nstopped/);
    const statuses = await Promise.all(requests);
    expect(statuses).toContain(503); // the queue was refused, not run
  });
});
