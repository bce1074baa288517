// Messages between the page and its training worker (train-worker.ts).
import type { TrainConfig } from '../train/config.js';
import type { ChunkReport, EpochReport } from '../train/trainer.js';

export type Backend = 'webgpu' | 'wasm';

export interface StartTraining {
  type: 'start';
  config: TrainConfig;
  backend: Backend;
  /** WASM threads wanted (1 without cross-origin isolation). */
  threads: number;
  /** ORT's verbose log on the console (which provider runs each node). */
  verbose: boolean;
}
export type ToWorker = StartTraining | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; backend: Backend; threads: number; trainImages: number }
  | { type: 'chunk'; report: ChunkReport }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'done'; model: Uint8Array; accuracy: number; seconds: number }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };
