// Training settings: the reference notebook's defaults, one place.
import type { ExecutionProvider } from '../node/execution-provider.js';

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
  // NOTE: 2 threads train 1.45x faster on a quiet 2-core machine, but their spin-waiting
  // workers run 2.3x slower whenever the host takes one core away (seen often here), and a
  // default tied to the core count would make the default run's weights machine-dependent.
  // One thread: robust and reproducible; --threads 2 where the cores are yours (BENCHMARKS.md).
  threads: 1,
  ep: 'cpu',
  chunkSteps: 100,
  trainLimit: 0,
  ortVerbose: false,
};
