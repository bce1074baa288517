// The page's path from canvas pixels to model input, on synthetic drawings:
// the same module as the server's uploads (src/data/preprocess.ts), fed RGBA.
import { describe, expect, it } from 'vitest';
import { rgbaToGray, viewDrawing } from '../../src/web/drawing.js';

const W = 280, H = 280;
type Pt = [number, number];

/** A canvas as getImageData gives it: round strokes of radius r, ink on paper (gray levels 0..255). */
function paint(strokes: Pt[][], { ink = 0, paper = 255, r = 10, w = W, h = H } = {}): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([paper, paper, paper, 255], 4 * i);
  const dot = (cx: number, cy: number) => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++) {
      for (let x = Math.floor(cx - r); x <= cx + r; x++) {
        if (x < 0 || y < 0 || x >= w || y >= h || (x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        rgba.set([ink, ink, ink, 255], 4 * (y * w + x));
      }
    }
  };
  for (const s of strokes) {
    for (let k = 0; k + 1 < s.length; k++) {
      const [[x0, y0], [x1, y1]] = [s[k], s[k + 1]];
      const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
      for (let t = 0; t <= n; t++) dot(x0 + ((x1 - x0) * t) / Math.max(1, n), y0 + ((y1 - y0) * t) / Math.max(1, n));
    }
  }
  return rgba;
}

const seven = (dx: number, dy: number, s = 1): Pt[][] => [[[dx, dy], [dx + 60 * s, dy], [dx + 25 * s, dy + 90 * s]]];
const loop = (cx: number, cy: number, rx: number, ry: number): Pt[][] =>
  [Array.from({ length: 41 }, (_, i): Pt => [cx + rx * Math.cos((i / 40) * 2 * Math.PI), cy + ry * Math.sin((i / 40) * 2 * Math.PI)])];

function centerOfMass(p: Float32Array) {
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < p.length; i++) { m += p[i]; mx += (i % 28) * p[i]; my += Math.floor(i / 28) * p[i]; }
  return { x: mx / m, y: my / m, mass: m };
}

function digit(rgba: Uint8ClampedArray, w = W, h = H) {
  const v = viewDrawing(rgba, w, h);
  if (v.kind !== 'digit') throw new Error('expected a digit, got nothing drawn');
  return v;
}

describe('viewDrawing', () => {
  it('re-centers a digit drawn in a corner: same 28x28 wherever it was drawn, center of mass in the middle', () => {
    const a = digit(paint(seven(15, 15)));
    const b = digit(paint(seven(190, 170)));
    expect(Array.from(b.pixels)).toEqual(Array.from(a.pixels));
    const com = centerOfMass(a.pixels);
    expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5);
    expect(a.box.x).toBeLessThan(15);
    expect(b.box.x).toBeGreaterThan(170);
  });

  it('scales a small digit and a large one to the same 20-pixel box', () => {
    const small = digit(paint(loop(60, 60, 20, 30), { r: 3 }));
    const large = digit(paint(loop(140, 140, 80, 120), { r: 12 }));
    for (const v of [small, large]) {
      let y0 = 28, y1 = -1;
      v.pixels.forEach((p, i) => { if (p > 0) { y0 = Math.min(y0, Math.floor(i / 28)); y1 = Math.max(y1, Math.floor(i / 28)); } });
      expect(y1 - y0 + 1).toBe(20);
    }
  });

  it('inverts a light background: dark ink on white paper gives ink high on 0, like white on black', () => {
    const onPaper = digit(paint(loop(140, 140, 60, 90)));
    const onBlack = digit(paint(loop(140, 140, 60, 90), { ink: 255, paper: 0 }));
    expect(onPaper.inverted).toBe(true);
    expect(onBlack.inverted).toBe(false);
    expect(onPaper.pixels[0]).toBe(0); // a corner: background
    expect(Math.max(...onPaper.pixels)).toBeCloseTo(1, 2);
    let diff = 0;
    for (let i = 0; i < onPaper.pixels.length; i++) diff = Math.max(diff, Math.abs(onPaper.pixels[i] - onBlack.pixels[i]));
    expect(diff).toBeLessThan(0.02);
  });

  it('gives "nothing drawn" rather than a guess for an empty canvas, white, black or with a faint smudge', () => {
    expect(viewDrawing(paint([]), W, H)).toEqual({ kind: 'empty' });
    expect(viewDrawing(paint([], { paper: 0 }), W, H)).toEqual({ kind: 'empty' });
    expect(viewDrawing(paint(seven(100, 100), { ink: 240 }), W, H)).toEqual({ kind: 'empty' });
    // a transparent canvas (nothing painted at all) reads as white paper
    expect(viewDrawing(new Uint8ClampedArray(W * H * 4), W, H)).toEqual({ kind: 'empty' });
  });

  it('handles any canvas size, e.g. a high-DPI 560x560 or a wide strip', () => {
    const hi = digit(paint([[[100, 100], [100, 460]]], { w: 560, h: 560, r: 20 }), 560, 560);
    const wide = digit(paint([[[300, 20], [300, 110]]], { w: 600, h: 130, r: 5 }), 600, 130);
    for (const v of [hi, wide]) expect(Math.abs(centerOfMass(v.pixels).x - 14)).toBeLessThanOrEqual(0.5);
  });
});

describe('rgbaToGray', () => {
  it('takes Rec. 601 luma and puts transparent pixels on white', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 128, 200, 200, 200, 255]);
    expect(Array.from(rgbaToGray(rgba, 6, 1))).toEqual([76, 150, 29, 255, 127, 200]);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => rgbaToGray(new Uint8ClampedArray(10), 2, 2)).toThrow(/16 bytes, got 10/);
  });
});
