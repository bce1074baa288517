// A training run in Node: the core's settings plus where ONNX Runtime runs.
import { TRAIN_DEFAULTS, type TrainConfig } from '../train/config.js';
import type { ExecutionProvider } from './execution-provider.js';

export interface NodeTrainConfig extends TrainConfig {
  threads: number;
  ep: ExecutionProvider;
  /** ORT's verbose session log (which provider runs each node) on stderr. */
  ortVerbose: boolean;
  /** The training program; 'auto': the Loop on CPU and CUDA, the unrolled program on WebGPU. */
  program: 'auto' | 'loop' | 'unrolled';
}

export const DEFAULTS: NodeTrainConfig = {
  ...TRAIN_DEFAULTS,
  // NOTE: 2 threads train 1.45x faster on a quiet 2-core machine, but their spin-waiting
  // workers run 2.3x slower whenever the host takes one core away (seen often here), and a
  // default tied to the core count would make the default run's weights machine-dependent.
  // One thread: robust and reproducible; --threads 2 where the cores are yours (BENCHMARKS.md).
  threads: 1,
  ep: 'cpu',
  ortVerbose: false,
  program: 'auto',
};
