// What training ships, for any runtime: the inference model with its contract in
// metadata_props, and the single training step for anyone driving training from
// another runtime. Node writes them to files (src/node/artifacts.ts); the page offers
// them for download.
import { INPUT, META, TRAIN_STEP_FILE } from '../contract/artifact.js';
import { CLASS_LABELS, IMAGE_COLS, IMAGE_ROWS, NORMALIZATION } from '../data/mnist-spec.js';
import type { Graph } from '../graph/graph.js';
import { serializeModel } from '../graph/serialize.js';
import type { Model } from '../model/model.js';
import { buildInference } from '../programs/inference.js';
import { buildTrainStep } from '../programs/train-step.js';
import { PRODUCER, VERSION } from '../version.js';
import type { EpochRecord } from './checkpoint.js';
import type { Hyperparameters } from './settings.js';
import type { TrainResult } from './trainer.js';

export const inferenceGraph = (model: Model, params: Float32Array): Graph =>
  buildInference(model, params, NORMALIZATION, [IMAGE_ROWS, IMAGE_COLS]);

/** The model file; the metadata changes no computation, so accuracy measured without it holds with it. */
export function inferenceModel(graph: Graph, metadata: Record<string, string> = {}): Uint8Array {
  return serializeModel(graph, { metadata, producerVersion: VERSION, docString: 'MNIST MLP classifier trained by onnx-mnist' });
}

/**
 * The inference model's metadata_props (README "Artifacts"). `history`: every epoch,
 * those of a resumed checkpoint included (testAccuracy null: never evaluated).
 */
export function modelMetadata(settings: Hyperparameters, history: readonly EpochRecord[], checksums: Record<string, string>, accuracy: number): Record<string, string> {
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

