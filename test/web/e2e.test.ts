// The page in real headless Chromium (Debian's `chromium`, driven by
// playwright-core), against the real server (`startServer`, as `onnx-mnist serve`
// runs it) on loopback: drawing with mouse and touch events, browser and server
// answers, loading cost, accessibility basics, and failure manners.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import * as ort from 'onnxruntime-node';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { DEFAULTS } from '../../src/node/config.js';
import { runTrain } from '../../src/node/run.js';
import { MODEL_URL } from '../../src/contract/artifact.js';
import { webRoutes } from '../../src/web/routes.js';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, checkChromium } from '../chromium.js';

const SHOTS = path.resolve('test-results/web');

let server: RunningServer;
let browser: Browser;
let data: Dataset;
let modelPath: string;

beforeAll(async () => {
  checkChromium();
  const out = mkdtempSync(path.join(tmpdir(), 'web-e2e-'));
  // The page as `npm run build:web` makes it (dist/web, where the server looks), from the current sources.
  await build({ configFile: path.resolve('src/web/vite.config.ts'), logLevel: 'warn' });
  ({ model: modelPath } = await runTrain({ ...DEFAULTS, epochs: 1, seed: 1, outDir: out }, () => {}));
  data = await loadDataset();
  server = await startServer({ ...SERVE_DEFAULTS, modelPath, host: '127.0.0.1', port: 0 });
  await server.ready;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page with its console errors, page errors and requests recorded. */
async function open(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, null, { timeout: 30_000 });
  return { page, errors, requests };
}

type Pt = [number, number];

/** Real mouse strokes; points are fractions of the pad (0..1). */
async function draw(page: Page, strokes: Pt[][], steps = 3): Promise<void> {
  const b = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: Pt): Pt => [b.x + x * b.width, b.y + y * b.height];
  for (const s of strokes) {
    await page.mouse.move(...at(s[0]));
    await page.mouse.down();
    for (const p of s.slice(1)) await page.mouse.move(...at(p), { steps });
    await page.mouse.up();
  }
}

/** The answer shown for the current drawing, from `source` (switching to it if needed). */
async function answer(page: Page, source: 'browser' | 'server'): Promise<string> {
  await page.check(`input[name="source"][value="${source}"]`);
  await page.waitForFunction((src) => {
    const p = document.querySelector<HTMLElement>('[data-testid="prediction"]')!;
    const pad = document.getElementById('pad')!;
    return p.dataset.busy === 'false' && p.dataset.revision === pad.dataset.revision && (p.dataset.state === 'empty' || p.dataset.source === src);
  }, source, { timeout: 15_000 });
  return (await page.textContent('[data-testid="prediction"]'))!;
}

async function clear(page: Page): Promise<void> {
  await page.click('button:has-text("Clear")');
}

/** An MNIST digit replayed as strokes: each row's run of ink becomes one horizontal mouse stroke. */
function asStrokes(img: Uint8Array): Pt[][] {
  const strokes: Pt[][] = [];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (img[y * 28 + x] < 128) continue;
      const x0 = x;
      while (x + 1 < 28 && img[y * 28 + x + 1] >= 128) x++;
      strokes.push([[(x0 + 0.5) / 28, (y + 0.5) / 28], [(x + 0.5) / 28, (y + 0.5) / 28]]);
    }
  }
  return strokes;
}

/** Test digits among the first n that the model labels right with probability > 0.9, given the MNIST pixels as they are. */
async function modelSure(n: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(modelPath);
  const px = Float32Array.from(data.test.images.subarray(0, n * 784), (v) => v / 255);
  const out = await session.run({ pixels: new ort.Tensor('float32', px, [n, 1, 28, 28]) });
  const label = out.label.data as BigInt64Array, prob = out.probabilities.data as Float32Array;
  await session.release();
  return Array.from({ length: n }, (_, k) => k).filter((k) => Number(label[k]) === data.test.labels[k] && prob[k * 10 + data.test.labels[k]] > 0.9);
}

const digit = (k: number) => data.test.images.subarray(k * 784, (k + 1) * 784);
const ONE: Pt[][] = [[[0.5, 0.15], [0.5, 0.85]]];
const ZERO: Pt[][] = [Array.from({ length: 33 }, (_, i): Pt => [0.5 + 0.25 * Math.sin((i / 32) * 2 * Math.PI), 0.5 - 0.33 * Math.cos((i / 32) * 2 * Math.PI)])];

describe('web page in Chromium', () => {
  let context: BrowserContext;
  let main: Awaited<ReturnType<typeof open>>;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  });
  afterAll(async () => { await context?.close(); });

  it('loads from our server only, small and fast: measured transfer and time to the first possible prediction', async () => {
    const measure = async (label: string) => {
      // A fresh context each time: no HTTP cache, like a first visit.
      const ctx = await browser.newContext();
      const { page, errors, requests } = await open(ctx, `${server.url}/`);
      expect(await page.evaluate(() => document.documentElement.dataset.state)).toBe('ready');
      const m = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const kind = (u: string) => (u.includes('/ort/') ? 'runtime' : u.includes('/models/') ? 'model' : 'page');
        const bytes: Record<string, number> = { page: nav.transferSize, runtime: 0, model: 0 };
        for (const r of res) bytes[kind(r.name)] += r.transferSize;
        return { readyMs: performance.getEntriesByName('mnist:ready')[0].startTime, bytes, isolated: crossOriginIsolated, n: res.length + 1 };
      });
      const total = m.bytes.page + m.bytes.runtime + m.bytes.model;
      const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
      console.log(`[web] ${label}: first prediction possible ${m.readyMs.toFixed(0)} ms after navigation; ` +
        `transferred ${kb(total)} in ${m.n} requests (page HTML+JS+CSS ${kb(m.bytes.page)}, ` +
        `onnxruntime-web WASM+glue ${kb(m.bytes.runtime)}, model ${kb(m.bytes.model)})`);
      expect(m.isolated).toBe(true);
      expect(requests.every((u) => u.startsWith(`${server.url}/`))).toBe(true); // no CDN, nothing else
      expect(requests.some((u) => u.endsWith('/ort/ort-wasm-simd-threaded.wasm'))).toBe(true);
      expect(errors).toEqual([]);
      expect(m.bytes.page).toBeLessThan(60 * 1024);
      expect(total).toBeLessThan(4 * 1024 * 1024);
      await ctx.close();
      return m;
    };
    await measure('first visit, server cold (compresses the WASM once)');
    await measure('first visit, server warm');
  });

  it('a vertical stroke is a 1 and a loop is a 0, in the browser and on the server', async () => {
    main = await open(context, `${server.url}/`);
    const { page } = main;
    await expect.poll(() => page.textContent('#status')).toMatch(/Ready.*WASM/);
    expect(await answer(page, 'browser')).toBe('');
    expect(await page.textContent('#hint')).toMatch(/Nothing drawn/);

    await draw(page, ONE, 12);
    expect(await answer(page, 'browser')).toBe('1');
    expect(await page.textContent('#timing')).toMatch(/In this browser \(WASM.*\): \d+\.\d+ ms inference/);
    expect(await page.locator('#bars li').count()).toBe(10);
    expect(await answer(page, 'server')).toBe('1');
    expect(await page.textContent('#timing')).toMatch(/On the server: \d+(\.\d+)? ms round trip/);
    const compared = (await page.textContent('#compare'))!;
    expect(compared).toMatch(/browser: 1 in .*server: 1 in .*\(they agree\)/);
    console.log(`[web] ${compared}`);

    await clear(page);
    await draw(page, ZERO, 3);
    expect(await answer(page, 'server')).toBe('0');
    expect(await answer(page, 'browser')).toBe('0');
    // The preview shows the 28x28 the model sees: ink in the middle, black edges.
    const preview = await page.evaluate(() => {
      const c = document.getElementById('preview') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      return { corner: d[0], center: Math.max(...Array.from({ length: 28 }, (_, x) => d[4 * (14 * 28 + x)])) };
    });
    expect(preview.corner).toBe(0);
    expect(preview.center).toBeGreaterThan(200);
  });

  it('MNIST test digits replayed as mouse strokes: browser and server agree, and right', async () => {
    const { page } = main;
    const rows: string[] = [];
    let right = 0;
    // Digits this model gets right, and surely, as MNIST gave them: the page's pipeline is
    // on trial here, not the 1-epoch model (which misreads e.g. test digit #8, a 5, as 6).
    const sure = await modelSure(30);
    const picked = sure.slice(0, 10);
    const n = picked.length;
    for (const k of picked) {
      await clear(page);
      await draw(page, asStrokes(digit(k)), 1);
      const inBrowser = await answer(page, 'browser');
      const onServer = await answer(page, 'server');
      const truth = String(data.test.labels[k]);
      rows.push(`#${k}: label ${truth}, browser ${inBrowser}, server ${onServer}`);
      expect(inBrowser, rows.at(-1)).toBe(onServer);
      if (inBrowser === truth) right++;
    }
    console.log(`[web] replayed MNIST digits: ${right}/${n} right; ${rows.join('; ')}`);
    expect(n).toBe(10);
    expect(right).toBeGreaterThanOrEqual(n - 1);
    await page.screenshot({ path: path.join(SHOTS, 'page.png'), fullPage: true });
  });

  it('MNIST test digits pasted onto the canvas (dropped as PNG files): browser and server agree', async () => {
    const { page } = main;
    let right = 0;
    const picked = (await modelSure(40)).slice(10, 15);
    for (const k of picked) {
      const png = await sharp(Buffer.from(digit(k)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
      const dt = await page.evaluateHandle((b64) => {
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        const t = new DataTransfer();
        t.items.add(new File([bytes], 'digit.png', { type: 'image/png' }));
        return t;
      }, png.toString('base64'));
      const before = await page.getAttribute('#pad', 'data-revision');
      await page.dispatchEvent('#pad', 'drop', { dataTransfer: dt });
      await page.waitForFunction((r) => document.getElementById('pad')!.dataset.revision !== r, before);
      const inBrowser = await answer(page, 'browser');
      expect(await answer(page, 'server'), `digit #${k}`).toBe(inBrowser);
      if (inBrowser === String(data.test.labels[k])) right++;
    }
    expect(right).toBeGreaterThanOrEqual(picked.length - 1);
  });

  it('Clear gives the "nothing drawn" state; controls are keyboard-reachable and labelled', async () => {
    const { page, errors } = main;
    await answer(page, 'browser');
    await clear(page);
    expect(await answer(page, 'browser')).toBe('');
    expect(await page.textContent('#hint')).toMatch(/Nothing drawn/);
    expect(await page.textContent('#bars')).not.toMatch(/\d%/);

    // Tab order: pad, Clear, then the source radio group; Enter on Clear clears.
    await page.focus('#pad');
    const focused: string[] = ['pad'];
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => { const a = document.activeElement!; return a.id || `${a.tagName}:${(a as HTMLInputElement).value}`; }));
    }
    expect(focused).toEqual(['pad', 'clear', 'INPUT:browser']);
    await draw(page, ONE);
    expect(await answer(page, 'browser')).toBe('1');
    await page.focus('#clear');
    await page.keyboard.press('Enter');
    expect(await answer(page, 'browser')).toBe('');

    const a11y = await page.evaluate(() => ({
      live: document.querySelector('[data-testid="prediction"]')!.getAttribute('aria-live'),
      padLabel: document.getElementById('pad')!.getAttribute('aria-label'),
      clear: (document.getElementById('clear') as HTMLButtonElement).type,
      radiosLabelled: Array.from(document.querySelectorAll('input[name="source"]')).every((i) => i.closest('label') !== null),
      lang: document.documentElement.lang,
    }));
    expect(a11y).toEqual({ live: 'polite', padLabel: expect.stringMatching(/draw one digit/i), clear: 'button', radiosLabelled: true, lang: 'en' });
    expect(errors).toEqual([]);
  });

  it('works on a phone-sized viewport with touch drawing, nothing sideways-scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const { page, errors } = await open(phone, `${server.url}/`);
    const layout = await page.evaluate(() => {
      const pad = document.getElementById('pad')!.getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth, padLeft: pad.left, padRight: pad.right, padWidth: pad.width };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(360);
    expect(layout.padLeft).toBeGreaterThanOrEqual(0);
    expect(layout.padRight).toBeLessThanOrEqual(360);
    expect(layout.padWidth).toBeGreaterThan(250);

    // A finger draws a 1: touch events through the DevTools protocol (pointerType "touch").
    const b = (await page.locator('#pad').boundingBox())!;
    const cdp = await phone.newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', y?: number) => cdp.send('Input.dispatchTouchEvent',
      { type, touchPoints: y === undefined ? [] : [{ x: b.x + b.width / 2, y: b.y + y * b.height }] });
    await touch('touchStart', 0.15);
    for (let i = 1; i <= 14; i++) await touch('touchMove', 0.15 + (0.7 * i) / 14);
    await touch('touchEnd');
    expect(await answer(page, 'browser')).toBe('1');
    expect(await page.evaluate(() => window.scrollY)).toBe(0); // the stroke drew, it did not scroll
    await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await phone.close();
  });

  it('still works without COOP/COEP (not cross-origin isolated: single-threaded WASM)', async () => {
    const plain = serve({ fetch: webRoutes({ model: modelPath, crossOriginIsolation: false }).fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((ok) => plain.once('listening', ok));
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
    const ctx = await browser.newContext();
    try {
      const { page, errors } = await open(ctx, url);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.textContent('#status')).toMatch(/WASM, 1 thread\)/);
      await draw(page, ONE, 12);
      expect(await answer(page, 'browser')).toBe('1');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
      await new Promise((ok) => plain.close(ok));
    }
  });

  it('uses WebGPU when asked (?backend=webgpu) on a fallback adapter (SwiftShader here), which `auto` skips for WASM', async () => {
    const gpuArgs = ARGS.filter((a) => a !== '--disable-gpu')
      .concat('--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader', '--use-angle=swiftshader');
    const gpuBrowser = await chromium.launch({ executablePath: CHROMIUM, args: gpuArgs });
    try {
      const auto = await open(await gpuBrowser.newContext(), `${server.url}/`);
      expect(await auto.page.textContent('#status')).toMatch(/WASM/); // a CPU adapter is slower than WASM
      const { page, errors } = await open(await gpuBrowser.newContext(), `${server.url}/?backend=webgpu`);
      expect(await page.textContent('#status')).toMatch(/WebGPU/);
      const ms = await page.evaluate(() => performance.getEntriesByName('mnist:ready')[0].startTime);
      const bytes = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((r) => r.name.includes('/ort/')).reduce((s, r) => s + r.transferSize, 0));
      console.log(`[web] WebGPU (SwiftShader): first prediction possible ${ms.toFixed(0)} ms after navigation (server warm); runtime ${(bytes / 1024).toFixed(0)} KiB`);
      await draw(page, ONE, 12);
      expect(await answer(page, 'browser')).toBe('1');
      expect(await page.textContent('#timing')).toMatch(/In this browser \(WebGPU\)/);
      await clear(page);
      await draw(page, ZERO, 3);
      expect(await answer(page, 'browser')).toBe('0');
      expect(await answer(page, 'server')).toBe('0');
      expect(errors).toEqual([]);
    } finally {
      await gpuBrowser.close();
    }
  });

  it('says clearly when the model cannot be loaded, and offers the server instead', async () => {
    const ctx = await browser.newContext();
    await ctx.route(`**${MODEL_URL}`, (r) => r.fulfill({ status: 404, body: 'no model' }));
    const { page } = await open(ctx, `${server.url}/`);
    expect(await page.evaluate(() => document.documentElement.dataset.state)).toBe('error');
    expect(await page.locator('#error').isVisible()).toBe(true);
    expect(await page.textContent('#error')).toMatch(/model could not be loaded: .*HTTP 404.*onnx-mnist train/);
    expect(await page.getAttribute('#error', 'role')).toBe('alert');
    expect(await page.isDisabled('input[value="browser"]')).toBe(true);
    expect(await page.isChecked('input[value="server"]')).toBe(true);
    await draw(page, ONE, 12);
    expect(await answer(page, 'server')).toBe('1');
    expect(await page.textContent('#error')).toMatch(/model could not be loaded/); // still said after the server's answer
    await ctx.close();
  });
});
