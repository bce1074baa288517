// The training core's runtime in Node: onnxruntime-node sessions on the chosen
// execution provider, and evaluation in a worker thread where a core is free.
import type { ImageSet } from '../data/dataset.js';
import { train as trainCore, type TrainHooks, type TrainResult, type TrainStart } from '../train/trainer.js';
import type { Runtime } from '../train/runtime.js';
import type { NodeTrainConfig } from './config.js';
import { startEvaluator } from './evaluator.js';
import { ortNode } from './sessions.js';

export function nodeRuntime(cfg: Pick<NodeTrainConfig, 'ep' | 'threads' | 'ortVerbose'> & Partial<Pick<NodeTrainConfig, 'program'>>): Runtime {
  const session = { ep: cfg.ep, threads: cfg.threads, verbose: cfg.ortVerbose };
  return {
    target: { ep: cfg.ep, threads: cfg.threads, ...(cfg.program && cfg.program !== 'auto' ? { program: cfg.program } : {}) },
    ...ortNode(session),
    evaluator: (model, test) => startEvaluator({ model, session: { ...session, verbose: false }, ...test }, cfg.threads),
  };
}

/** Trains with onnxruntime-node, from `start` when given (a checkpoint's state, or initial weights). */
export const train = (cfg: NodeTrainConfig, data: ImageSet, hooks?: TrainHooks, start?: TrainStart): Promise<TrainResult> =>
  trainCore(cfg, data, nodeRuntime(cfg), hooks, start);
