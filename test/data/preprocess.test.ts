import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { preprocessDigit, type GrayImage } from '../../src/data/preprocess.js';

const SIDE = 28;

/** Statistics of a 28x28 model input: ink bounding box and center of mass. */
function stats(p: Float32Array) {
  let x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1, m = 0, mx = 0, my = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = p[y * SIDE + x];
      if (v === 0) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      m += v; mx += x * v; my += y * v;
    }
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1, cx: mx / m, cy: my / m };
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
};

/** A digit as a phone would see it: enlarged, dark ink on light paper, off-center, lit from one side. */
function asPhoto(digit: Uint8Array, scale: number, ox: number, oy: number, w: number, h: number, gradient: number): GrayImage {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.floor((x - ox) / scale), sy = Math.floor((y - oy) / scale);
      const ink = sx >= 0 && sy >= 0 && sx < SIDE && sy < SIDE ? digit[sy * SIDE + sx] / 255 : 0;
      const light = 1 - gradient * (x / w) * (y / h);
      data[y * w + x] = Math.round(255 * light * (0.92 - 0.8 * ink));
    }
  }
  return { data, width: w, height: h };
}

describe('preprocessDigit', () => {
  let data: Dataset;
  const digit = (k: number) => data.test.images.subarray(k * SIDE * SIDE, (k + 1) * SIDE * SIDE);
  beforeAll(async () => { data = await loadDataset(); });

  it('leaves real MNIST digits nearly as they are (they were made this way)', () => {
    let diff = 0;
    const n = 200;
    for (let k = 0; k < n; k++) {
      const img = digit(k);
      const { pixels, inverted } = preprocessDigit({ data: img, width: SIDE, height: SIDE });
      expect(inverted).toBe(false);
      for (let i = 0; i < pixels.length; i++) diff += Math.abs(pixels[i] - img[i] / 255);
      const s = stats(pixels);
      expect(Math.max(s.width, s.height)).toBeGreaterThanOrEqual(19);
      expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(21);
      expect(Math.abs(s.cx - 14)).toBeLessThan(1);
      expect(Math.abs(s.cy - 14)).toBeLessThan(1);
    }
    expect(diff / (n * SIDE * SIDE)).toBeLessThan(0.03);
  });

  it('recovers the MNIST form of a large, inverted, off-center, unevenly lit digit', () => {
    const sims: number[] = [];
    for (let k = 0; k < 50; k++) {
      const scale = 3 + (k % 5), w = 260, h = 200;
      const photo = asPhoto(digit(k), scale, (k * 37) % (w - SIDE * scale), (k * 53) % (h - SIDE * scale), w, h, 0.6);
      const out = preprocessDigit(photo);
      expect(out.inverted).toBe(true);
      sims.push(cosine(out.pixels, preprocessDigit({ data: digit(k), width: SIDE, height: SIDE }).pixels));
    }
    sims.sort((a, b) => a - b);
    expect(sims[Math.floor(sims.length / 2)]).toBeGreaterThan(0.9);
    expect(sims[2]).toBeGreaterThan(0.75);
  });

  it('keeps the aspect ratio: a tall thin bar stays thin, a wide bar stays flat', () => {
    const w = 100, h = 100;
    const tall = new Uint8Array(w * h), wide = new Uint8Array(w * h);
    for (let y = 10; y < 90; y++) for (let x = 40; x < 48; x++) tall[y * w + x] = 255;
    for (let y = 40; y < 60; y++) for (let x = 0; x < 100; x++) wide[y * w + x] = 255;
    const t = stats(preprocessDigit({ data: tall, width: w, height: h }).pixels);
    expect(t.height).toBe(20);
    expect(t.width).toBeLessThanOrEqual(3);
    expect(Math.abs(t.cx - 14)).toBeLessThanOrEqual(0.5); // whole-pixel shifts, as MNIST did
    const f = stats(preprocessDigit({ data: wide, width: w, height: h }).pixels);
    expect(f.width).toBe(20);
    expect(f.height).toBe(4);
  });

  it('ignores a distant speck of dust when finding the ink', () => {
    const w = 120, h = 120, img = new Uint8Array(w * h).fill(240);
    for (let y = 30; y < 90; y++) for (let x = 50; x < 60; x++) img[y * w + x] = 20;
    img[5 * w + 5] = 20; // the speck
    const out = preprocessDigit({ data: img, width: w, height: h });
    expect(out.box).not.toBeNull();
    expect(out.box!.x).toBeGreaterThanOrEqual(45);
    expect(out.box!.y).toBeGreaterThanOrEqual(25);
  });

  it('finds no ink in a blank picture, light or dark, and returns all zeros', () => {
    for (const level of [0, 128, 255]) {
      const out = preprocessDigit({ data: new Uint8Array(50 * 40).fill(level), width: 50, height: 40 });
      expect(out.box).toBeNull();
      expect(out.pixels.every((v) => v === 0)).toBe(true);
    }
  });

  it('treats Float32Array [0,1] and Uint8Array 0..255 input alike', () => {
    const img = digit(3);
    const f = Float32Array.from(img, (v) => v / 255);
    const a = preprocessDigit({ data: img, width: SIDE, height: SIDE }).pixels;
    const b = preprocessDigit({ data: f, width: SIDE, height: SIDE }).pixels;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('rejects inconsistent sizes and out-of-range floats', () => {
    expect(() => preprocessDigit({ data: new Uint8Array(10), width: 3, height: 3 })).toThrow(/9 pixels, got 10/);
    expect(() => preprocessDigit({ data: new Uint8Array(0), width: 0, height: 0 })).toThrow(/positive integers/);
    expect(() => preprocessDigit({ data: new Float32Array([0, 2, 0, 0]), width: 2, height: 2 })).toThrow(/\[0, 1\].*index 1/);
    expect(() => preprocessDigit({ data: new Float32Array([0, NaN, 0, 0]), width: 2, height: 2 })).toThrow(/NaN/);
  });

  it('stays browser-safe: imports nothing but its pure sibling modules', async () => {
    for (const file of ['preprocess.ts', 'raster.ts', 'mnist-spec.ts']) {
      const src = await readFile(new URL(`../../src/data/${file}`, import.meta.url), 'utf8');
      const imports = [...src.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect(['./mnist-spec.js', './raster.js']).toContain(spec);
    }
  });
});
