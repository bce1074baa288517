// The model behind the HTTP routes: worker threads plus the dynamic batcher.
// createApp only sees the Engine interface, so route tests can use a fake.
import { Batcher, type BatcherOptions, type BatchObserver } from './batcher.js';
import type { LoadedModel, ModelSpec } from './model.js';
import { WorkerPool, type Outputs } from './worker-pool.js';

export interface Engine {
  readonly spec: ModelSpec;
  readonly maxBatchSize: number;
  /** True once the model is loaded and until shutdown starts. */
  isReady(): boolean;
  /** n images (n*784 floats in [0,1]) -> this request's rows of every output. */
  infer(input: Float32Array, n: number): Promise<Outputs>;
  queueLength(): number;
}

export interface EngineOptions extends BatcherOptions {
  workers: number;
  intraOpNumThreads: number;
}

export const ENGINE_DEFAULTS: EngineOptions = {
  workers: 1,
  intraOpNumThreads: 1,
  maxBatchSize: 256,
  maxQueueDelayMs: 0,
  maxQueue: 1024,
};

export class LocalEngine implements Engine {
  readonly maxBatchSize: number;
  /** Settles when the workers have loaded the model (or failed to). */
  readonly started: Promise<void>;
  private pool?: WorkerPool;
  private batcher?: Batcher;
  private stopping = false;

  constructor(readonly model: LoadedModel, readonly opts: EngineOptions, onBatch?: BatchObserver) {
    this.maxBatchSize = opts.maxBatchSize;
    // Workers load in the background so the server can answer health checks
    // (live, not ready) while a large model loads.
    this.started = WorkerPool.start(model.bytes, opts.workers, opts.intraOpNumThreads).then((pool) => {
      this.pool = pool;
      this.batcher = new Batcher(pool, opts, onBatch);
      pool.onIdle = () => this.batcher?.schedule();
    });
    this.started.catch(() => {}); // the caller awaits `started`; this only silences the unhandled copy
  }

  get spec(): ModelSpec {
    return this.model.spec;
  }

  isReady(): boolean {
    return !this.stopping && this.batcher !== undefined;
  }

  infer(input: Float32Array, n: number): Promise<Outputs> {
    if (!this.batcher) return Promise.reject(new Error('model is not loaded yet'));
    return this.batcher.infer(input, n);
  }

  queueLength(): number {
    return this.batcher?.queueLength() ?? 0;
  }

  /** Refuses new work, finishes what is queued and running, then stops the workers. */
  async close(): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => {});
    await this.batcher?.drain();
    await this.pool?.close();
  }
}
