// What training ships: the inference model with its contract in metadata_props,
// and the single training step for anyone driving training from another runtime.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Dataset } from './load-dataset.js';
import { CLASS_LABELS, IMAGE_COLS, IMAGE_ROWS, NORMALIZATION } from '../data/mnist-spec.js';
import { INPUT, META, MODEL_FILE, OUTPUTS, TRAIN_STEP_FILE } from '../contract/artifact.js';
import type { Graph } from '../graph/graph.js';
import { buildInference } from '../programs/inference.js';
import type { Model } from '../model/model.js';
import { serializeModel } from '../graph/serialize.js';
import { buildTrainStep } from '../programs/train-step.js';
import { PRODUCER, VERSION } from '../version.js';
import { writeFileAtomic } from './atomic-write.js';
import { sessionOptions, sideThreads } from './execution-provider.js';
import type { Hyperparameters } from '../train/settings.js';
import type { EpochRecord } from '../train/checkpoint.js';
import type { TrainResult } from '../train/trainer.js';

export const inferenceGraph = (model: Model, params: Float32Array): Graph =>
  buildInference(model, params, NORMALIZATION, [IMAGE_ROWS, IMAGE_COLS]);

/** The model file; the metadata changes no computation, so accuracy measured without it holds with it. */
export function inferenceModel(graph: Graph, metadata: Record<string, string> = {}): Uint8Array {
  return serializeModel(graph, { metadata, producerVersion: VERSION, docString: 'MNIST MLP classifier trained by onnx-mnist' });
}

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

/** `history`: every epoch, those of a resumed checkpoint included (testAccuracy null: never evaluated). */
export function artifactMetadata(settings: Hyperparameters, history: readonly EpochRecord[], checksums: Record<string, string>, accuracy: number): Record<string, string> {
  return {
    [META.producer]: PRODUCER,
    [META.created]: new Date().toISOString(),
    [META.input]: JSON.stringify(INPUT),
    [META.normalization]: JSON.stringify(NORMALIZATION),
    [META.classLabels]: JSON.stringify(CLASS_LABELS),
    [META.testAccuracy]: accuracy.toFixed(4),
    [META.epochs]: String(history.length),
    [META.hyperparameters]: JSON.stringify(settings),
    [META.training]: JSON.stringify(history.map((e) => ({ epoch: e.epoch, trainLoss: +e.trainLoss.toFixed(5), testAccuracy: e.testAccuracy }))),
    [META.datasetSha256]: JSON.stringify(checksums),
  };
}

export function trainStepModel(result: TrainResult): Uint8Array {
  const { model, optimizer } = result;
  const g = buildTrainStep(model, optimizer, NORMALIZATION, [IMAGE_ROWS, IMAGE_COLS]);
  const layout = model.layout.tensors.map((t) => ({ name: t.name, shape: t.shape, offset: t.offset }));
  return serializeModel(g, {
    producerVersion: VERSION,
    docString: `One ${optimizer.name} step of the MNIST ${model.kind.toUpperCase()}; see README "${TRAIN_STEP_FILE}".`,
    // The optimizer's settings under its own id ('adam'): constants of the graph.
    metadata: {
      [META.producer]: PRODUCER, [META.paramLayout]: JSON.stringify(layout), [optimizer.id]: JSON.stringify(optimizer.hyper),
      [META.normalization]: JSON.stringify(NORMALIZATION),
    },
  });
}

export async function writeArtifacts(dir: string, model: Uint8Array, step: Uint8Array): Promise<{ model: string; trainStep: string }> {
  const files = { model: path.join(dir, MODEL_FILE), trainStep: path.join(dir, TRAIN_STEP_FILE) };
  await writeFileAtomic(files.model, model);
  await writeFileAtomic(files.trainStep, step);
  return files;
}
