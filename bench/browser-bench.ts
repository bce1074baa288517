// Browser training benchmark: the notebook's recipe on the full MNIST training set, two
// epochs each, all in one run and interleaved: the page itself training in headless
// Chromium (onnxruntime-web WASM, 1 and 2 threads), onnxruntime-node in this process, and
// TensorFlow.js on its WASM backend in the same Chromium (bench/tfjs-peer.ts).
// Epoch 1 counts from pressing Train while each runtime's WASM is still being compiled in
// the background; epoch 2 is the steady state, the figure the comparisons use.
//   npx tsx bench/browser-bench.ts        (needs /usr/bin/chromium and a built page: npm run build:web)
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULTS } from '../src/node/config.js';
import { loadDataset } from '../src/node/load-dataset.js';
import { median, runTrain } from '../src/node/run.js';
import { train } from '../src/node/runtime.js';
import { SERVE_DEFAULTS, startServer } from '../src/serve/server.js';
import { tfjsPeer, type PeerMode } from './tfjs-peer.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EPOCHS = 2;
/** TF.js's faster way to train here (both measured by `npx tsx bench/tfjs-peer.ts`). */
const TFJS_MODE = (process.env.TFJS_MODE ?? 'loop') as PeerMode;
const { model } = await runTrain({ ...DEFAULTS, epochs: 1, trainLimit: 2000, outDir: mkdtempSync(path.join(tmpdir(), 'browser-bench-')) }, () => {});
const server = await startServer({ ...SERVE_DEFAULTS, modelPath: model, host: '127.0.0.1', port: 0 });
await server.ready;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const data = await loadDataset();

interface Run { epochs: number[]; accuracy: number }

/** Two epochs in the page, Train pressed as soon as the page is up: each epoch's training seconds as the page lists them. */
async function page(threads: number): Promise<Run> {
  const p = await browser.newPage();
  await p.goto(`${server.url}/?epochs=${EPOCHS}&limit=60000&backend=wasm&threads=${threads}`);
  await p.waitForFunction(() => document.documentElement.dataset.state !== undefined);
  await p.getByRole('button', { name: 'Train', exact: true }).click();
  await p.waitForFunction(() => /done|failed/.test(document.querySelector('[data-testid="train-status"]')!.textContent!), null, { timeout: 600_000 });
  const status = (await p.textContent('[data-testid="train-status"]'))!;
  const m = /done in [\d.]+ s \(WASM, (\d) threads?\)/.exec(status);
  if (!m || Number(m[1]) !== threads) throw new Error(`unexpected status: ${status}`);
  const epochs = (await p.locator('[data-testid="train-epochs"] li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.seconds))));
  const accuracy = Number((await p.textContent('[data-testid="train-accuracy"]'))!.replace('%', '')) / 100;
  await p.close();
  return { epochs, accuracy };
}

const NODE = 'onnxruntime-node (CPU, 1 thread)';
const rows: Record<string, Run[]> = {};
const add = (name: string, r: Run) => (rows[name] ??= []).push(r);
let tfjsInfo = '';
for (let r = 0; r < ROUNDS; r++) {
  const node = await train({ ...DEFAULTS, epochs: EPOCHS }, data);
  add(NODE, { epochs: node.epochs.map((e) => e.seconds), accuracy: node.epochs.at(-1)!.testAccuracy });
  for (const t of [1, 2]) {
    add(`onnxruntime-web WASM, ${t} thread${t === 1 ? '' : 's'} (our page)`, await page(t));
    const peer = await tfjsPeer(browser, { threads: t, mode: TFJS_MODE, epochs: EPOCHS });
    if (peer.threads !== t) throw new Error(`TF.js runs ${peer.threads} threads, not ${t}`);
    tfjsInfo = `TF.js ${peer.tfjsVersion}, ${peer.flavour}, ${TFJS_MODE === 'loop' ? 'a custom loop (optimizer.minimize per batch)' : 'model.fit'}`;
    add(`TensorFlow.js WASM, ${t} thread${t === 1 ? '' : 's'}`, { epochs: peer.epochSeconds, accuracy: peer.accuracy });
  }
}
await browser.close();
await server.close();

const steady = (name: string) => median(rows[name].map((r) => r.epochs[1]));
const base = steady(NODE);
console.log(`### Browser training (${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model}, ${cpus().length} cores, headless Chromium, ${ROUNDS} interleaved rounds)\n`);
console.log('| runtime | epoch 1 from Train (s, median) | epoch 2 (s, median) | epoch 2 runs | epoch 2 x onnxruntime-node | test accuracy after 2 epochs |\n|---|---|---|---|---|---|');
for (const [name, runs] of Object.entries(rows)) {
  const e2 = runs.map((r) => r.epochs[1]);
  console.log(`| ${name} | ${median(runs.map((r) => r.epochs[0])).toFixed(2)} | ${median(e2).toFixed(2)} | ${e2.map((x) => x.toFixed(2)).join(', ')} | ${(median(e2) / base).toFixed(2)} | ${runs.map((r) => (r.accuracy * 100).toFixed(2) + '%').join(', ')} |`);
}
for (const t of [1, 2]) {
  const s = t === 1 ? '' : 's';
  console.log(`\nWASM, ${t} thread${s}: our page trains ${(steady(`TensorFlow.js WASM, ${t} thread${s}`) / steady(`onnxruntime-web WASM, ${t} thread${s} (our page)`)).toFixed(1)}x as fast as TensorFlow.js (epoch 2).`);
}
console.log(`\nBatch 64, Adam 0.001, seed 0 (ours); ${tfjsInfo}.`);
