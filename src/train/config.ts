// What a training run is, whatever runs it: the reference notebook's defaults in one
// place, and the model and optimizer they describe.
import { NUM_CLASSES } from '../data/mnist-spec.js';
import { mlp } from '../model/mlp.js';
import type { Model } from '../model/model.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  hidden: number[];
  optimizer: OptimizerSpec;
  seed: number;
  /** Steps per session.run: the event loop (progress, signals, a page's UI) only runs between calls. */
  chunkSteps: number;
  /** Use only the first N training images (tests, quick checks); 0 = all. */
  trainLimit: number;
}

export const TRAIN_DEFAULTS: TrainConfig = {
  epochs: 10,
  batchSize: 64,
  hidden: [128, 64],
  optimizer: { name: 'adam', lr: 0.001 },
  seed: 0,
  chunkSteps: 100,
  trainLimit: 0,
};

/** The model and optimizer a config describes, for images of `inputs` pixels. */
export function modelAndOptimizer(cfg: TrainConfig, inputs: number): { model: Model; optimizer: Optimizer } {
  return { model: mlp(inputs, cfg.hidden, NUM_CLASSES), optimizer: createOptimizer(cfg.optimizer) };
}
