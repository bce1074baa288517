// The route for people: POST /v1/predict with pixels as JSON or with image
// files, answered with the label and class probabilities. Images go through
// the same MNIST-style preprocessing the browser page uses.
import { OUTPUTS } from '../contract/artifact.js';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../data/mnist-spec.js';
import { preprocessDigit, type Box } from '../data/preprocess.js';
import { HttpError, badRequest, isObject, parseJson } from './errors.js';
import { decodeImage } from './image.js';
import { pixelValue, readTensorData } from './tensor-data.js';
import type { Outputs } from './worker-pool.js';

export interface PredictInput {
  input: Float32Array;
  n: number;
  /** Whether the client sent a list (answer with a list) or one image. */
  batch: boolean;
  /** Per image, what preprocessing found, for image uploads. */
  images?: { format: string; width: number; height: number; inverted: boolean; box: Box }[];
}

const USAGE = 'expected {"pixels": [784 numbers, 0..255 or 0..1]} (flat or 28x28) or {"images": [pixels, ...]}';

export function parsePredictJson(text: string, maxBatch: number): PredictInput {
  const body = parseJson(text);
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

export async function parsePredictImages(files: { bytes: Uint8Array; name: string }[], maxBatch: number, maxPixels: number): Promise<PredictInput> {
  if (files.length > maxBatch) throw badRequest(`${files.length} images; the limit is ${maxBatch} per request`);
  const decoded = await Promise.all(files.map((f) => decodeImage(f.bytes, maxPixels, f.name)));
  const input = new Float32Array(files.length * IMAGE_SIZE);
  const images = decoded.map((d, k) => {
    const { pixels, inverted, box } = preprocessDigit(d.gray);
    if (!box) throw new HttpError(422, `${files[k].name}: no digit found (the picture is blank or has too little contrast)`);
    input.set(pixels, k * IMAGE_SIZE);
    // Report the box in the uploaded picture's own pixels, not the shrunk working copy.
    const s = d.width / d.gray.width;
    const scaled = { x: Math.round(box.x * s), y: Math.round(box.y * s), width: Math.round(box.width * s), height: Math.round(box.height * s) };
    return { format: d.format, width: d.width, height: d.height, inverted, box: scaled };
  });
  return { input, n: files.length, batch: files.length > 1, images };
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
