// The route for people: POST /v1/predict with pixels as JSON or with image
// files, answered with the label and class probabilities. Images go through
// the same MNIST-style preprocessing the browser page uses.
import { OUTPUTS } from '../contract/artifact.js';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../data/mnist-spec.js';
import { parseJsonText } from './body.js';
import { HttpError, badRequest, isObject } from './errors.js';
import type { ImageDecoder, ImageInfo } from './image-decoder.js';
import type { Cancel } from './work-queue.js';
import { pixelValue, readTensorData } from './tensor-data.js';
import type { Outputs } from './worker-pool.js';

export interface PredictInput {
  input: Float32Array;
  n: number;
  /** Whether the client sent a list (answer with a list) or one image. */
  batch: boolean;
  /** Per image, what preprocessing found, for image uploads. */
  images?: ImageInfo[];
}

const USAGE = 'expected {"pixels": [784 numbers, 0..255 or 0..1]} (flat or 28x28) or {"images": [pixels, ...]}';

export function parsePredictJson(text: string, maxBatch: number, maxContainers: number): PredictInput {
  const body = parseJsonText(text, maxContainers);
  if (!isObject(body)) throw badRequest(USAGE);
  const keys = Object.keys(body).filter((k) => k === 'pixels' || k === 'images');
  if (keys.length !== 1) throw badRequest(USAGE);
  const batch = keys[0] === 'images';
  const list = batch ? body.images : [body.pixels];
  if (!Array.isArray(list) || list.length === 0) throw badRequest('"images" must be a non-empty array of images');
  if (list.length > maxBatch) throw badRequest(`"images" has ${list.length} images; the limit is ${maxBatch} per request`);
  const input = new Float32Array(list.length * IMAGE_SIZE);
  list.forEach((img, k) => {
    const what = batch ? `images[${k}]` : 'pixels';
    // Flat (784) or 28x28: readTensorData takes either for this shape.
    const px = readTensorData(img, [IMAGE_ROWS, IMAGE_COLS], what, pixelValue);
    // Each image picks its own scale: all values <= 1 means 0..1, else 0..255.
    let max = 0;
    for (let i = 0; i < px.length; i++) if (px[i] > max) max = px[i];
    if (max > 1) for (let i = 0; i < px.length; i++) px[i] /= 255;
    input.set(px, k * IMAGE_SIZE);
  });
  return { input, n: list.length, batch };
}

/**
 * Uploaded pictures to model input, decoded in the image workers in upload order. The
 * first refusal cancels the pictures of the same upload still waiting, as does the
 * client going away (`signal`).
 */
export async function decodeUpload(files: { bytes: Uint8Array; name: string }[], decoder: ImageDecoder, maxImages: number, client?: Cancel): Promise<PredictInput> {
  if (files.length > maxImages) throw new HttpError(413, `${files.length} images; the limit is ${maxImages} per upload`);
  let failed = false;
  const cancel = { get aborted() { return failed || client?.aborted === true; } };
  let digits;
  try {
    digits = await Promise.all(files.map((f) => decoder.decode(f.bytes, f.name, cancel)));
  } catch (e) {
    failed = true;
    throw e;
  }
  const input = new Float32Array(files.length * IMAGE_SIZE);
  digits.forEach((d, k) => input.set(d.pixels, k * IMAGE_SIZE));
  return { input, n: files.length, batch: files.length > 1, images: digits.map((d) => d.image) };
}

export interface Prediction {
  label: number | string;
  confidence: number;
  probabilities: number[];
  image?: NonNullable<PredictInput['images']>[number];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function predictions(req: PredictInput, outputs: Outputs, labels: string[]): Prediction[] {
  const probs = outputs[OUTPUTS.probabilities.name] as Float32Array;
  const label = outputs[OUTPUTS.label.name] as BigInt64Array;
  const classes = probs.length / req.n;
  return Array.from({ length: req.n }, (_, i) => {
    const idx = Number(label[i]);
    const name = labels[idx] ?? String(idx);
    const row = Array.from(probs.subarray(i * classes, (i + 1) * classes), round6);
    const p: Prediction = { label: /^\d+$/.test(name) ? Number(name) : name, confidence: row[idx], probabilities: row };
    if (req.images) p.image = req.images[i];
    return p;
  });
}
