// Messages between the page and its training worker (train-worker.ts).
import type { TrainConfig } from '../train/config.js';
import type { ChunkReport, EpochReport } from '../train/trainer.js';

export type Backend = 'webgpu' | 'wasm';

/** What a worker's runtime is set up for: fixed for its life (ORT reads its thread count once). */
export interface RuntimeSetup {
  backend: Backend;
  /** WASM threads wanted (1 without cross-origin isolation). */
  threads: number;
  /** ORT's verbose log on the console (which provider runs each node). */
  verbose: boolean;
}
export const setupKey = (s: RuntimeSetup) => `${s.backend}/${s.threads}/${s.verbose}`;

/** Start ONNX Runtime and fetch MNIST ahead of a likely run (with this config), so Train starts at once. */
export interface WarmUp extends RuntimeSetup { type: 'warm'; config: TrainConfig }
export interface StartTraining extends RuntimeSetup { type: 'start'; config: TrainConfig }
export type ToWorker = WarmUp | StartTraining | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; backend: Backend; threads: number; trainImages: number }
  | { type: 'chunk'; report: ChunkReport }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'done'; model: Uint8Array; accuracy: number; seconds: number }
  | { type: 'stopped' }
  | { type: 'failed'; error: string };
