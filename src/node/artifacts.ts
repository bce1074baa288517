// Writing what training ships, in Node: the artifact's own accuracy measured with
// onnxruntime-node, and both files written atomically. What they contain is built in
// src/train/artifacts.ts, which the browser uses as well.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Dataset } from './load-dataset.js';
import { INPUT, MODEL_FILE, OUTPUTS, TRAIN_STEP_FILE } from '../contract/artifact.js';
import { writeFileAtomic } from './atomic-write.js';
import { sessionOptions, sideThreads } from './execution-provider.js';

/** Test accuracy of the inference model itself, fed exactly as a user would: float pixels in [0, 1]. */
export async function artifactAccuracy(model: Uint8Array, data: Dataset): Promise<number> {
  // It runs once, after training: a second core halves it (never spinning).
  const session = await ort.InferenceSession.create(model, sessionOptions({ ep: 'cpu', threads: sideThreads(), spin: false }));
  // In batches of 1,000: each run's intermediates stay in cache (the whole test set at
  // once takes twice as long), and one reused buffer holds the pixels.
  const toUnit = Float32Array.from({ length: 256 }, (_, v) => v / 255);
  const pixelsPer = data.rows * data.cols, n = data.test.count, batch = 1000;
  const pixels = new Float32Array(batch * pixelsPer);
  let hits = 0;
  for (let first = 0; first < n; first += batch) {
    const count = Math.min(batch, n - first);
    const images = data.test.images.subarray(first * pixelsPer, (first + count) * pixelsPer);
    for (let i = 0; i < images.length; i++) pixels[i] = toUnit[images[i]];
    const input = new ort.Tensor('float32', pixels.subarray(0, count * pixelsPer), [count, 1, data.rows, data.cols]);
    const label = (await session.run({ [INPUT.name]: input }, [OUTPUTS.label.name]))[OUTPUTS.label.name].data as BigInt64Array;
    for (let i = 0; i < count; i++) if (Number(label[i]) === data.test.labels[first + i]) hits++;
  }
  await session.release();
  return hits / n;
}

export async function writeArtifacts(dir: string, model: Uint8Array, step: Uint8Array): Promise<{ model: string; trainStep: string }> {
  const files = { model: path.join(dir, MODEL_FILE), trainStep: path.join(dir, TRAIN_STEP_FILE) };
  await writeFileAtomic(files.model, model);
  await writeFileAtomic(files.trainStep, step);
  return files;
}
