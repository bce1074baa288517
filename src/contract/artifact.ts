// The artifact contract in one place: the file names training writes, the
// inference model's input and outputs, and the metadata_props keys (README
// "Artifacts"). The trainer writes these values, the server and the page check
// models against them (check.ts), and the graph builder may name tensors by them.
// Browser-safe: no Node module, no runtime, no protobuf library.
import { INPUT_SHAPE, NUM_CLASSES } from '../data/mnist-spec.js';

export const MODEL_FILE = 'mnist-mlp.onnx';
export const TRAIN_STEP_FILE = 'train-step.onnx';
/** Written after every epoch; `train --resume DIR` continues from it (README "Artifacts"). */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** Where `onnx-mnist serve` publishes the model file it runs, for the page. */
export const MODEL_URL = `/models/${MODEL_FILE}`;
/** Where it publishes the bundled MNIST IDX files (the names of IDX_FILES), for training in the page. */
export const DATA_URL = '/data/mnist/';

/** Element type names as README, the `input` metadata and ONNX Runtime's tensors spell them. */
export type DTypeName = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A tensor of the contract: dimensions are numbers, or 'N' for the batch. */
export interface TensorContract<D extends DTypeName = DTypeName> {
  readonly name: string;
  readonly dtype: D;
  readonly shape: readonly (number | 'N')[];
}

/**
 * The inference model's one input, as its `input` metadata states it: pixels in
 * [0,1] as torchvision's ToTensor gives them, ink high (background 0).
 */
export const INPUT = {
  name: 'pixels',
  dtype: 'float32',
  shape: INPUT_SHAPE,
  range: [0, 1],
  ink: 'high',
} as const satisfies TensorContract & { range: readonly [number, number]; ink: 'high' | 'low' };

/** The inference model's outputs, in graph order. */
export const OUTPUTS = {
  logits: { name: 'logits', dtype: 'float32', shape: ['N', NUM_CLASSES] },
  probabilities: { name: 'probabilities', dtype: 'float32', shape: ['N', NUM_CLASSES] },
  label: { name: 'label', dtype: 'int64', shape: ['N'] },
} as const satisfies Record<string, TensorContract>;

/** The outputs the server and the page read: every model they run must have these. */
export const REQUIRED_OUTPUTS = [OUTPUTS.probabilities, OUTPUTS.label] as const;

/** metadata_props keys of both artifacts (README "Artifacts"). */
export const META = {
  // mnist-mlp.onnx
  producer: 'producer',
  created: 'created',
  input: 'input',
  normalization: 'normalization',
  classLabels: 'class_labels',
  testAccuracy: 'test_accuracy',
  epochs: 'epochs',
  hyperparameters: 'hyperparameters',
  training: 'training',
  datasetSha256: 'dataset_sha256',
  // train-step.onnx (also producer and normalization, and the optimizer's settings: trainStepMetaKeys)
  paramLayout: 'param_layout',
} as const;

export type MetaKey = (typeof META)[keyof typeof META];

/** The keys each artifact carries, in the order they are written. */
export const MODEL_META_KEYS = [
  META.producer, META.created, META.input, META.normalization, META.classLabels,
  META.testAccuracy, META.epochs, META.hyperparameters, META.training, META.datasetSha256,
] as const satisfies readonly MetaKey[];
/** train-step.onnx's keys: its optimizer's settings go under the optimizer's id ('adam', 'sgd'). */
export const trainStepMetaKeys = (optimizerId: string): string[] => [META.producer, META.paramLayout, optimizerId, META.normalization];

