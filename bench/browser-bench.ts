// Browser training benchmark: one full MNIST epoch of the notebook's recipe trained in
// headless Chromium by the page itself (onnxruntime-web WASM, 1 and 2 threads), beside
// onnxruntime-node's epoch in this process, all in one run. Prints a markdown section.
//   npx tsx bench/browser-bench.ts        (needs /usr/bin/chromium and a built page: npm run build:web)
import { cpus } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULTS } from '../src/node/config.js';
import { loadDataset } from '../src/node/load-dataset.js';
import { median, runTrain } from '../src/node/run.js';
import { train } from '../src/node/runtime.js';
import { SERVE_DEFAULTS, startServer } from '../src/serve/server.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const { model } = await runTrain({ ...DEFAULTS, epochs: 1, trainLimit: 2000, outDir: mkdtempSync(path.join(tmpdir(), 'browser-bench-')) }, () => {});
const server = await startServer({ ...SERVE_DEFAULTS, modelPath: model, host: '127.0.0.1', port: 0 });
await server.ready;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const data = await loadDataset();

/** One epoch in the page: the seconds its training core reports (chunks only, as the CLI's epoch time). */
async function pageEpoch(threads: number): Promise<{ seconds: number; accuracy: string }> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/?epochs=1&limit=60000&backend=wasm&threads=${threads}`);
  await page.waitForFunction(() => document.documentElement.dataset.state !== undefined);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => /done|failed/.test(document.querySelector('[data-testid="train-status"]')!.textContent!), null, { timeout: 600_000 });
  const status = (await page.textContent('[data-testid="train-status"]'))!;
  const m = /done in ([\d.]+) s \((WASM, (\d) threads?)\)/.exec(status);
  if (!m || Number(m[3]) !== threads) throw new Error(`unexpected status: ${status}`);
  const accuracy = (await page.textContent('[data-testid="train-accuracy"]'))!;
  await page.close();
  return { seconds: Number(m[1]), accuracy };
}

const rows: Record<string, number[]> = { 'onnxruntime-node (CPU, 1 thread)': [], 'onnxruntime-web WASM, 1 thread': [], 'onnxruntime-web WASM, 2 threads': [] };
let accuracy = '';
for (let r = 0; r < ROUNDS; r++) {
  const node = await train({ ...DEFAULTS, epochs: 1 }, data);
  rows['onnxruntime-node (CPU, 1 thread)'].push(node.epochs[0].seconds);
  for (const t of [1, 2]) {
    const p = await pageEpoch(t);
    rows[`onnxruntime-web WASM, ${t} thread${t === 1 ? '' : 's'}`].push(p.seconds);
    accuracy = p.accuracy;
  }
}
await browser.close();
await server.close();
const base = median(rows['onnxruntime-node (CPU, 1 thread)']);
console.log(`### Browser training (${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model}, ${cpus().length} cores, headless Chromium, ${ROUNDS} interleaved rounds)\n`);
console.log('| runtime | s/epoch (median) | runs | x onnxruntime-node |\n|---|---|---|---|');
for (const [name, xs] of Object.entries(rows)) console.log(`| ${name} | ${median(xs).toFixed(2)} | ${xs.map((x) => x.toFixed(2)).join(', ')} | ${(median(xs) / base).toFixed(2)} |`);
console.log(`\nOne epoch of the full training set, batch 64, Adam 0.001, seed 0; test accuracy after it in the page: ${accuracy}.`);
