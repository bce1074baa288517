// What training ships: the inference model with its contract in metadata_props,
// and the single training step for anyone driving training from another runtime.
import path from 'node:path';
import type { Dataset } from './load-dataset.js';
import { CLASS_LABELS, IMAGE_COLS, IMAGE_ROWS, NORMALIZATION, NUM_CLASSES } from '../data/mnist-spec.js';
import { INPUT, META, MODEL_FILE, TRAIN_STEP_FILE } from '../contract/artifact.js';
import type { Graph } from '../graph/graph.js';
import { buildInference } from '../programs/inference.js';
import type { Model } from '../model/model.js';
import { serializeModel } from '../graph/serialize.js';
import { buildTrainStep } from '../programs/train-step.js';
import { PRODUCER, VERSION } from '../version.js';
import { writeFileAtomic } from './atomic-write.js';
import type { NodeTrainConfig } from './config.js';
import { classify } from './classify.js';
import type { TrainResult } from '../train/trainer.js';

export const inferenceGraph = (model: Model, params: Float32Array): Graph =>
  buildInference(model, params, NORMALIZATION, [IMAGE_ROWS, IMAGE_COLS]);

/** The model file; the metadata changes no computation, so accuracy measured without it holds with it. */
export function inferenceModel(graph: Graph, metadata: Record<string, string> = {}): Uint8Array {
  return serializeModel(graph, { metadata, producerVersion: VERSION, docString: 'MNIST MLP classifier trained by onnx-mnist' });
}

/** Test accuracy of the inference model itself, fed exactly as a user would: float pixels in [0, 1]. */
export async function artifactAccuracy(model: Uint8Array, data: Dataset): Promise<number> {
  const { predicted } = await classify(model, data.test, data, { inputName: INPUT.name, range: [...INPUT.range], inkHigh: INPUT.ink === 'high' }, NUM_CLASSES);
  let hits = 0;
  for (let i = 0; i < data.test.count; i++) if (predicted[i] === data.test.labels[i]) hits++;
  return hits / data.test.count;
}

export async function artifactMetadata(cfg: NodeTrainConfig, result: TrainResult, data: Dataset, accuracy: number): Promise<Record<string, string>> {
  const checksums = await data.checksums;
  return {
    [META.producer]: PRODUCER,
    [META.created]: new Date().toISOString(),
    [META.input]: JSON.stringify(INPUT),
    [META.normalization]: JSON.stringify(NORMALIZATION),
    [META.classLabels]: JSON.stringify(CLASS_LABELS),
    [META.testAccuracy]: accuracy.toFixed(4),
    [META.epochs]: String(result.epochs.length),
    [META.hyperparameters]: JSON.stringify({
      ...result.model.config, batchSize: cfg.batchSize, epochs: cfg.epochs, seed: cfg.seed,
      optimizer: { name: result.optimizer.name, ...result.optimizer.hyper }, loss: 'cross_entropy', trainImages: cfg.trainLimit || data.train.count,
    }),
    [META.training]: JSON.stringify(result.epochs.map((e) => ({ epoch: e.epoch, trainLoss: +e.trainLoss.toFixed(5), testAccuracy: e.testAccuracy }))),
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
