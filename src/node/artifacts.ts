// Writing what training ships, in Node: the artifact's own accuracy measured with
// onnxruntime-node, and both files written atomically. What they contain is built in
// src/train/artifacts.ts, which the browser uses as well.
import path from 'node:path';
import type { Dataset } from './load-dataset.js';
import { INPUT, MODEL_FILE, TRAIN_STEP_FILE } from '../contract/artifact.js';
import { NUM_CLASSES } from '../data/mnist-spec.js';
import { writeFileAtomic } from './atomic-write.js';
import { classify } from './classify.js';

/** Test accuracy of the inference model itself, fed exactly as a user would: float pixels in [0, 1]. */
export async function artifactAccuracy(model: Uint8Array, data: Dataset): Promise<number> {
  const { predicted } = await classify(model, data.test, data, { inputName: INPUT.name, range: [...INPUT.range], inkHigh: INPUT.ink === 'high' }, NUM_CLASSES);
  let hits = 0;
  for (let i = 0; i < data.test.count; i++) if (predicted[i] === data.test.labels[i]) hits++;
  return hits / data.test.count;
}

export async function writeArtifacts(dir: string, model: Uint8Array, step: Uint8Array): Promise<{ model: string; trainStep: string }> {
  const files = { model: path.join(dir, MODEL_FILE), trainStep: path.join(dir, TRAIN_STEP_FILE) };
  await writeFileAtomic(files.model, model);
  await writeFileAtomic(files.trainStep, step);
  return files;
}
