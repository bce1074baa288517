// Turns a grayscale picture of one digit into the model's 28x28 input the way
// MNIST itself was made: ink's bounding box, fitted into 20x20 keeping the
// aspect ratio, pasted so the center of mass sits at the center of 28x28.
// Real pictures (photos of paper, canvas drawings) also need polarity and
// level fixes first. Pure TS with no Node or DOM imports: the browser page
// runs this same code on canvas pixels.
import { IMAGE_COLS, IMAGE_ROWS } from './mnist-spec.js';
import { clamp01, flattenLight, maxBlurred, quantile, resize, type Box } from './raster.js';

export type { Box };

export interface GrayImage {
  /** Row-major, one value per pixel: 0..255 in integer arrays, 0..1 in a Float32Array. */
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
}

export interface Preprocessed {
  /** 28x28 row-major in [0,1], ink high, background 0: one image of model input. */
  pixels: Float32Array;
  /** True when the picture had a light background (e.g. dark pen on paper) and was inverted. */
  inverted: boolean;
  /** Where the ink was found in the source picture; null if there was none (then `pixels` is all 0). */
  box: Box | null;
}

/** MNIST fits each digit's bounding box into 20x20 inside the 28x28 field. */
export const DIGIT_BOX = 20;
/** Ink must differ from the background by this much (of full scale) to count as ink at all. */
const MIN_CONTRAST = 0.15;
/** After stretching, strokes are the pixels nearer ink than background. */
const STROKE = 0.5;
/** Connected ink blobs smaller than this fraction of the largest one are specks, not strokes. */
const SPECK_FRACTION = 0.05;

export function preprocessDigit(img: GrayImage): Preprocessed {
  const { width: w, height: h } = img;
  const v = toUnit(img);
  const empty = (inverted: boolean): Preprocessed => ({ pixels: new Float32Array(IMAGE_ROWS * IMAGE_COLS), inverted, box: null });

  // A digit covers well under half the picture, so the median is the background.
  // Light paper is first evened out (photos are rarely lit evenly), then inverted.
  const inverted = quantile(v, 0.5) > 0.5;
  if (inverted) {
    flattenLight(v, w, h);
    for (let i = 0; i < v.length; i++) v[i] = 1 - v[i];
  }

  // Stretch background..ink to 0..1. Ink level is the max of a 3x3 blur, so a
  // single hot pixel (sensor noise, JPEG ringing) cannot set it.
  const bg = quantile(v, 0.5);
  const ink = maxBlurred(v, w, h);
  if (ink - bg < MIN_CONTRAST) return empty(inverted);
  for (let i = 0; i < v.length; i++) v[i] = clamp01((v[i] - bg) / (ink - bg));

  // Strokes are what is nearer ink than background; pixels under half that are
  // noise. Soft edges in between are kept, as MNIST's anti-aliased strokes have them.
  const kept = strokeBox(v, w, h, STROKE);
  if (!kept) return empty(inverted);
  for (let i = 0; i < v.length; i++) if (v[i] < STROKE / 2 || kept.speck[i]) v[i] = 0;

  // MNIST's box includes the soft edge, which lies just outside the thresholded strokes.
  const margin = Math.max(2, Math.round(0.03 * Math.max(kept.box.width, kept.box.height)));
  const box = inkBox(v, w, h, grow(kept.box, margin, w, h)) ?? kept.box;

  const scale = DIGIT_BOX / Math.max(box.width, box.height);
  const tw = Math.max(1, Math.min(DIGIT_BOX, Math.round(box.width * scale)));
  const th = Math.max(1, Math.min(DIGIT_BOX, Math.round(box.height * scale)));
  const patch = resize(v, w, box, tw, th);
  return { pixels: placeByCenterOfMass(patch, tw, th), inverted, box };
}

function toUnit({ data, width, height }: GrayImage): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(`a ${width}x${height} grayscale image has ${width * height} pixels, got ${data.length} values`);
  }
  const out = new Float32Array(data.length);
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (!(x >= 0 && x <= 1)) throw new RangeError(`float pixels must be in [0, 1], got ${x} at index ${i}`);
      out[i] = x;
    }
  } else for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return out;
}





/**
 * Box around the strokes: 8-connected blobs of pixels >= t, ignoring blobs much
 * smaller than the largest (specks of dust or noise would otherwise stretch the box).
 */
function strokeBox(v: Float32Array, w: number, h: number, t: number): { box: Box; speck: Uint8Array } | null {
  const label = new Int32Array(v.length).fill(-1);
  const stack = new Int32Array(v.length);
  const blobs: { area: number; x0: number; y0: number; x1: number; y1: number }[] = [];
  for (let start = 0; start < v.length; start++) {
    if (v[start] < t || label[start] >= 0) continue;
    const id = blobs.length;
    const blob = { area: 0, x0: w, y0: h, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const p = stack[--top];
      const x = p % w, y = (p - x) / w;
      blob.area++;
      if (x < blob.x0) blob.x0 = x;
      if (x > blob.x1) blob.x1 = x;
      if (y < blob.y0) blob.y0 = y;
      if (y > blob.y1) blob.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, q = yy * w + xx;
          if (xx < 0 || xx >= w || label[q] >= 0 || v[q] < t) continue;
          label[q] = id;
          stack[top++] = q;
        }
      }
    }
    blobs.push(blob);
  }
  if (blobs.length === 0) return null;
  const minArea = SPECK_FRACTION * Math.max(...blobs.map((b) => b.area));
  const keep = blobs.map((b) => b.area >= minArea);
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  blobs.forEach((b, i) => {
    if (!keep[i]) return;
    x0 = Math.min(x0, b.x0); y0 = Math.min(y0, b.y0); x1 = Math.max(x1, b.x1); y1 = Math.max(y1, b.y1);
  });
  const speck = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) if (label[i] >= 0 && !keep[label[i]]) speck[i] = 1;
  return { box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, speck };
}

function grow(b: Box, m: number, w: number, h: number): Box {
  const x = Math.max(0, b.x - m), y = Math.max(0, b.y - m);
  return { x, y, width: Math.min(w, b.x + b.width + m) - x, height: Math.min(h, b.y + b.height + m) - y };
}

/** Bounding box of the nonzero pixels inside `within`. */
function inkBox(v: Float32Array, w: number, h: number, within: Box): Box | null {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = within.y; y < within.y + within.height; y++) {
    for (let x = within.x; x < within.x + within.width; x++) {
      if (v[y * w + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}



/**
 * Pastes the patch into 28x28 with its center of mass on pixel (14, 14): that is
 * where MNIST's own digits have it on average (measured on the training set).
 */
function placeByCenterOfMass(patch: Float32Array, pw: number, ph: number): Float32Array {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const p = patch[y * pw + x];
      m += p; mx += x * p; my += y * p;
    }
  }
  const cx = m > 0 ? mx / m : (pw - 1) / 2, cy = m > 0 ? my / m : (ph - 1) / 2;
  const ox = Math.round(IMAGE_COLS / 2 - cx), oy = Math.round(IMAGE_ROWS / 2 - cy);
  const out = new Float32Array(IMAGE_ROWS * IMAGE_COLS);
  for (let y = 0; y < ph; y++) {
    const yy = y + oy;
    if (yy < 0 || yy >= IMAGE_ROWS) continue;
    for (let x = 0; x < pw; x++) {
      const xx = x + ox;
      if (xx >= 0 && xx < IMAGE_COLS) out[yy * IMAGE_COLS + xx] = patch[y * pw + x];
    }
  }
  return out;
}

