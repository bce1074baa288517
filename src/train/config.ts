// Training settings: the reference notebook's defaults, one place.
import { availableParallelism } from 'node:os';
import type { ExecutionProvider } from './execution-provider.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  hidden: number[];
  seed: number;
  threads: number;
  ep: ExecutionProvider;
  /** Steps per session.run: the event loop (progress bar, signals) only runs between calls. */
  chunkSteps: number;
  /** Use only the first N training images (tests, quick checks); 0 = all. */
  trainLimit: number;
  /** ORT's verbose session log (which provider runs each node) on stderr. */
  ortVerbose: boolean;
}

export const DEFAULTS: TrainConfig = {
  epochs: 10,
  batchSize: 64,
  lr: 0.001,
  hidden: [128, 64],
  seed: 0,
  // Inside the Loop graph the JS thread waits, so both cores of a 2-core machine can compute (see BENCHMARKS.md).
  threads: Math.min(2, availableParallelism()),
  ep: 'cpu',
  chunkSteps: 100,
  trainLimit: 0,
  ortVerbose: false,
};
