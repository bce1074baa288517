// From canvas pixels to the model's 28x28 view, with the preprocessing the
// server applies to uploaded images (src/data/preprocess.ts). Pure TS: the page
// runs it on getImageData(), the unit tests on synthetic pictures.
import { preprocessDigit, type Box } from '../data/preprocess.js';

export type DrawingView =
  | { kind: 'empty' }
  | { kind: 'digit'; pixels: Float32Array; inverted: boolean; box: Box };

/** RGBA (as canvas getImageData gives) -> one luma byte per pixel (Rec. 601), alpha over white. */
export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Uint8ClampedArray {
  if (rgba.length !== width * height * 4) throw new RangeError(`a ${width}x${height} RGBA image has ${width * height * 4} bytes, got ${rgba.length}`);
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    const a = rgba[j + 3] / 255;
    const y = 0.299 * rgba[j] + 0.587 * rgba[j + 1] + 0.114 * rgba[j + 2];
    out[i] = Math.round(y * a + 255 * (1 - a));
  }
  return out;
}

/** What the model should see of this drawing, or "nothing drawn" (never a guess on an empty canvas). */
export function viewDrawing(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): DrawingView {
  const out = preprocessDigit({ data: rgbaToGray(rgba, width, height), width, height });
  return out.box ? { kind: 'digit', pixels: out.pixels, inverted: out.inverted, box: out.box } : { kind: 'empty' };
}
