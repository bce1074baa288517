// Training in the page, in real headless Chromium against the real server: the same
// training core as the CLI on onnxruntime-web (WASM; WebGPU on SwiftShader, a CPU
// adapter good for correctness only), the live panel, the browser-trained model on the
// pad, and its download checked in onnxruntime-node and by the official ONNX checker.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContract } from '../../src/contract/check.js';
import { readOnnxModel } from '../../src/contract/onnx-reader.js';
import { DEFAULTS } from '../../src/node/config.js';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { runTrain } from '../../src/node/run.js';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { webRoutes } from '../../src/web/routes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-quic',
  '--no-first-run', '--disable-sync'];
/** SwiftShader's WebGPU adapter: a CPU implementation, for correctness only. */
const WEBGPU_ARGS = [...ARGS, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

let server: RunningServer, browser: Browser, gpuBrowser: Browser, data: Dataset, modelPath: string;

beforeAll(async () => {
  await build({ configFile: path.resolve('src/web/vite.config.ts'), logLevel: 'warn' });
  ({ model: modelPath } = await runTrain({ ...DEFAULTS, epochs: 1, trainLimit: 2000, outDir: mkdtempSync(path.join(tmpdir(), 'train-e2e-')) }, () => {}));
  data = await loadDataset();
  server = await startServer({ ...SERVE_DEFAULTS, modelPath, host: '127.0.0.1', port: 0 });
  await server.ready;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  gpuBrowser = await chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_ARGS });
}, 120_000);
afterAll(async () => { await browser?.close(); await gpuBrowser?.close(); await server?.close(); });

async function trainIn(context: BrowserContext, url: string): Promise<{ page: Page; logs: string[]; errors: string[] }> {
  const page = await context.newPage();
  const logs: string[] = [], errors: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, null, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => /done|failed|Stopped/.test(document.querySelector('[data-testid="train-status"]')!.textContent!), null, { timeout: 240_000 });
  expect(await page.textContent('[data-testid="train-status"]')).toMatch(/done/);
  return { page, logs, errors };
}

async function downloadModel(page: Page): Promise<Uint8Array> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download model' }).click()]);
  expect(download.suggestedFilename()).toBe('mnist-mlp.onnx');
  return readFileSync((await download.path())!);
}

/** Accuracy of an inference model on the whole MNIST test set, in onnxruntime-node. */
async function accuracyOf(bytes: Uint8Array): Promise<number> {
  const s = await ort.InferenceSession.create(bytes);
  const n = data.test.count;
  const r = await s.run({ pixels: new ort.Tensor('float32', Float32Array.from(data.test.images, (v) => v / 255), [n, 1, 28, 28]) });
  const label = r.label.data as BigInt64Array;
  let hits = 0;
  for (let i = 0; i < n; i++) if (Number(label[i]) === data.test.labels[i]) hits++;
  return hits / n;
}

const initializers = (bytes: Uint8Array) => Object.fromEntries(onnxProto.onnx.ModelProto.decode(bytes).graph!.initializer!.map((t) => {
  const raw = t.rawData!;
  return [t.name!, new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))];
}));

describe('training in the page (WASM)', () => {
  let context: BrowserContext, page: Page, shown: number, model: Uint8Array;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 1200 }, acceptDownloads: true });
    const run = await trainIn(context, `${server.url}/?epochs=1&limit=10000`);
    page = run.page;
    expect(run.errors).toEqual([]);
    shown = Number((await page.textContent('[data-testid="train-accuracy"]'))!.replace('%', ''));
    model = await downloadModel(page);
    mkdirSync(path.resolve('test-results/web'), { recursive: true });
    await page.screenshot({ path: path.resolve('test-results/web/train-panel.png'), fullPage: true });
  }, 300_000);
  afterAll(async () => { await context?.close(); });

  it('1 epoch on 10,000 images, on WASM: the accuracy onnxruntime-node reaches with the same recipe and seed', async () => {
    expect(await page.textContent('[data-testid="train-accuracy"]')).toMatch(/^\d{2}\.\d{2}%$/);
    expect(await page.textContent('[data-testid="train-status"]')).toMatch(/\(WASM, \d threads?\)/);
    const cli = await runTrain({ ...DEFAULTS, epochs: 1, trainLimit: 10_000, outDir: mkdtempSync(path.join(tmpdir(), 'train-e2e-cli-')) }, () => {});
    expect(Math.abs(shown - cli.accuracy * 100)).toBeLessThanOrEqual(0.2);
    expect(shown).toBeGreaterThan(89);
  }, 60_000);

  it('the pad classifies with the browser-trained model, and the page says so', async () => {
    expect(await page.textContent('[data-testid="model-source"]')).toMatch(/browser/);
    const b = (await page.locator('[data-testid="pad"]').boundingBox())!;
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.mouse.move(b.x + b.width / 2, b.y + 0.15 * b.height);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + 0.85 * b.height, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => {
      const p = document.querySelector<HTMLElement>('[data-testid="prediction"]')!;
      return p.dataset.busy === 'false' && p.dataset.revision === document.getElementById('pad')!.dataset.revision && p.dataset.source === 'browser';
    }, null, { timeout: 15_000 });
    expect(await page.textContent('[data-testid="prediction"]')).toBe('1');
  });

  it('the download is the artifact: same contract, test_accuracy as shown, the same accuracy in onnxruntime-node, the ONNX checker passes', async () => {
    const info = readOnnxModel(model);
    const contract = checkContract(info.metadata, info);
    expect(contract.testAccuracy! * 100).toBeCloseTo(shown, 2);
    expect(JSON.parse(info.metadata.hyperparameters)).toMatchObject({ hidden: [128, 64], batchSize: 64, epochs: 1, trainImages: 10_000, optimizer: { name: 'Adam', lr: 0.001 } });
    expect(Math.abs((await accuracyOf(model)) * 100 - shown)).toBeLessThanOrEqual(0.2);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'train-e2e-dl-')), 'mnist-mlp.onnx');
    writeFileSync(file, model);
    execFileSync('/usr/bin/python3', ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file]);
  });
});

describe('training in the page on WebGPU (SwiftShader)', () => {
  it('two steps match the WASM run to float32 rounding, and every training node runs on WebGPU', async () => {
    const context = await gpuBrowser.newContext({ acceptDownloads: true });
    try {
      const query = 'epochs=1&limit=128&batch=64&ortlog=verbose';
      const gpu = await trainIn(context, `${server.url}/?${query}&backend=webgpu`);
      const wasm = await trainIn(context, `${server.url}/?${query}&backend=wasm`);
      const [a, b] = [initializers(await downloadModel(gpu.page)), initializers(await downloadModel(wasm.page))];
      // Each Adam step moves a parameter by up to lr (1e-3); the two providers sum in other
      // orders, and where a gradient is near eps Adam magnifies that, so the bound is 1% of one step.
      for (const name of ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']) {
        let d = 0;
        a[name].forEach((x, i) => { d = Math.max(d, Math.abs(x - b[name][i])); });
        expect(d, name).toBeLessThan(1e-5);
      }
      expect(a['fc1.weight']).not.toEqual(initializers(readFileSync(modelPath))['fc1.weight']); // really trained, not the served model
      const placed = gpu.logs.filter((l) => /placed on \[/.test(l));
      // The training programs: all on WebGPU. The evaluation session runs on WASM by
      // design (integer ops: ArgMax, Equal, uint8 images): the only CPU placement.
      expect(placed.filter((l) => /All nodes placed on \[WebGpuExecutionProvider\]/.test(l)).length).toBeGreaterThanOrEqual(1);
      expect(placed.filter((l) => /Node\(s\) placed on/.test(l))).toEqual([]);
      expect(placed.filter((l) => /All nodes placed on \[CPUExecutionProvider\]/.test(l))).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 300_000);
});

describe('training in a page that is not cross-origin isolated', () => {
  it('still trains, on one thread, and says so', async () => {
    const plain = serve({ fetch: webRoutes({ model: modelPath, crossOriginIsolation: false }).fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => plain.once('listening', r));
    const context = await browser.newContext();
    try {
      const { page } = await trainIn(context, `http://127.0.0.1:${(plain.address() as AddressInfo).port}/?epochs=1&limit=640&backend=wasm`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.textContent('#train-notice')).toMatch(/not cross-origin isolated.*one thread/);
      expect(await page.isVisible('#train-notice')).toBe(true);
      // A second run in the same page reuses the idle worker (its runtime and data kept).
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page.waitForFunction(() => /done|failed|Stopped/.test(document.querySelector('[data-testid="train-status"]')!.textContent!), null, { timeout: 60_000 });
      expect(await page.textContent('[data-testid="train-status"]')).toMatch(/done/);
      const epochs = await page.locator('[data-testid="train-epochs"] li').allTextContents();
      expect(epochs).toHaveLength(1);
      expect(epochs[0]).toMatch(/^epoch 1: [\d.]+ s, train loss [\d.]+, test loss [\d.]+, test accuracy [\d.]+%$/);
    } finally {
      await context.close();
      plain.close();
    }
  }, 120_000);
});
