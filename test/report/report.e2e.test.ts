// report.html in real headless Chromium (Debian's `chromium`, driven by playwright-core),
// opened from disk as a user would: no console error, no request but the file itself,
// a 10x10 heatmap, images that decode, and a screenshot kept in test-results/report/.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/node/config.js';
import { runEval } from '../../src/node/eval-report.js';
import { runTrain } from '../../src/node/run.js';
import { checkChromium, launchChromium } from '../chromium.js';

const SHOTS = path.resolve('test-results/report');

let browser: Browser;
let page: Page;
let url: string;
const errors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  checkChromium();
  const out = mkdtempSync(path.join(tmpdir(), 'report-e2e-'));
  const { model } = await runTrain({ ...DEFAULTS, epochs: 3, trainLimit: 6000, seed: 4, outDir: out }, () => {});
  const { files } = await runEval({ modelPath: model });
  url = pathToFileURL(files.html).href;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('report.html in Chromium, from file://', () => {
  it('loads with no console error or warning and requests nothing but itself', () => {
    expect(errors).toEqual([]);
    // data: images are decoded in place, not requested; a blocked request would still be listed here (and logged as an error).
    expect(requests).toEqual([url]);
  });

  it('the confusion matrix heatmap has 100 cells, each with its count', async () => {
    const cells = page.locator('#confusion svg [aria-roledescription="rect mark"]');
    expect(await cells.count()).toBe(100);
    expect(await page.locator('#confusion svg [aria-roledescription="text mark"]').count()).toBe(100);
    const box = (await page.locator('#confusion svg').boundingBox())!;
    expect(box.width).toBeGreaterThan(300); // drawn, not collapsed
  });

  it('draws the per-class bars and the training curves', async () => {
    expect(await page.locator('#per-class-scores svg [aria-roledescription="bar"]').count()).toBe(30);
    expect(await page.locator('#per-class-errors svg [aria-roledescription="bar"]').count()).toBe(20);
    expect(await page.locator('#loss-curve svg [aria-roledescription="line mark"]').count()).toBe(2);
    expect(await page.locator('#accuracy-curve svg [aria-roledescription="point"]').count()).toBe(3);
  });

  it('shows the mistakes as 28x28 images that decoded, with true and predicted labels', async () => {
    const imgs = await page.$$eval('#mistakes img', (els) => els.map((e) => {
      const img = e as HTMLImageElement;
      return { w: img.naturalWidth, h: img.naturalHeight, done: img.complete, caption: img.nextElementSibling?.textContent ?? '' };
    }));
    expect(imgs.length).toBe(40);
    for (const i of imgs) {
      expect(i).toMatchObject({ w: 28, h: 28, done: true });
      expect(i.caption).toMatch(/^true (\d) → (\d)\d+\.\d% · #\d+$/);
      const [, t, p] = i.caption.match(/^true (\d) → (\d)/)!;
      expect(t).not.toBe(p);
    }
  });

  it('a full-page screenshot is kept as a test artifact', async () => {
    const file = path.join(SHOTS, 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });
});
