// The model behind the HTTP routes: worker threads plus the dynamic batcher.
// createApp only sees the Engine interface, so route tests can use a fake.
import { Batcher, type BatcherEvents, type BatcherOptions } from './batcher.js';
import { IMAGE_SIZE } from '../data/mnist-spec.js';
import type { RunRequest, RunResult } from './inference-worker.js';
import type { LoadedModel, ModelSpec } from './model.js';
import type { Cancel } from './work-queue.js';
import { WorkerPool, type Outputs, type Pixels, type Runner } from './worker-pool.js';

export interface Engine {
  readonly spec: ModelSpec;
  readonly maxBatchSize: number;
  /** True while the model is loaded in at least one worker, until shutdown starts. */
  isReady(): boolean;
  /** n images (floats in [0,1], or bytes 0..255) -> this request's rows of every output. An aborted `signal` drops a queued request. */
  infer(input: Pixels, n: number, signal?: Cancel): Promise<Outputs>;
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
  maxQueuedImages: 4096,
  queueTimeoutMs: 10_000,
};

export class LocalEngine implements Engine {
  readonly maxBatchSize: number;
  /** Settles when the workers have loaded the model (or failed to). */
  readonly started: Promise<void>;
  private pool?: WorkerPool<RunRequest, RunResult>;
  private batcher?: Batcher;
  private stopping = false;

  constructor(readonly model: LoadedModel, readonly opts: EngineOptions, events?: BatcherEvents) {
    this.maxBatchSize = opts.maxBatchSize;
    // Workers load in the background so the server can answer health checks
    // (live, not ready) while a large model loads.
    const spec = {
      module: 'inference-worker', init: { model: model.bytes, intraOpNumThreads: opts.intraOpNumThreads },
      label: 'inference worker', startFailed: 'inference worker could not load the model', callFailed: 'inference failed',
      depth: 2,
    };
    this.started = WorkerPool.start<RunRequest, RunResult>(spec, opts.workers).then((pool) => {
      this.pool = pool;
      this.batcher = new Batcher(runner(pool, opts.maxBatchSize), opts, events);
      pool.onChange = () => this.batcher?.schedule();
    });
    this.started.catch(() => {}); // the caller awaits `started`; this only silences the unhandled copy
  }

  get spec(): ModelSpec {
    return this.model.spec;
  }

  isReady(): boolean {
    return !this.stopping && this.batcher !== undefined && this.pool!.size() > 0;
  }

  infer(input: Pixels, n: number, signal?: Cancel): Promise<Outputs> {
    if (!this.batcher) return Promise.reject(new Error('model is not loaded yet'));
    return this.batcher.infer(input, n, signal);
  }

  queueLength(): number {
    return this.batcher?.queueLength() ?? 0;
  }

  queuedImages(): number {
    return this.batcher?.queuedImageCount() ?? 0;
  }

  /**
   * Refuses new work, finishes what is queued and running, then stops the workers.
   * `hurry` refuses what is queued instead and waits only for the running batches
   * (milliseconds): stopping a worker inside session.run would abort the process.
   */
  async close(opts: { hurry?: boolean } = {}): Promise<void> {
    this.stopping = true;
    await this.started.catch(() => {});
    if (opts.hurry) await this.batcher?.abandon();
    else await this.batcher?.drain();
    await this.pool?.close();
  }
}

/**
 * The batcher's view of the pool: a batch's parts are copied as they are (floats, or
 * bytes the worker scales) into shared memory that goes to the worker and comes back
 * with the outputs, to be filled again. NOTE: a fresh 800 KB Float32Array per batch
 * cost the HTTP thread more (page faults, zeroing: ~0.4 ms) than the model run, and
 * scaling 200k bytes to floats here another ~0.3 ms; both are gone from this thread.
 */
function runner(pool: WorkerPool<RunRequest, RunResult>, maxBatch: number): Runner {
  const free: SharedArrayBuffer[] = [];
  return {
    idle: () => pool.idle(),
    spare: () => pool.spare(),
    down: () => pool.down(),
    async run(batch, n) {
      const input = free.pop() ?? new SharedArrayBuffer(maxBatch * IMAGE_SIZE * 4);
      const bytes = new Uint8Array(input);
      const parts: number[] = [];
      let offset = 0;
      for (const p of batch) {
        const images = p.length / IMAGE_SIZE;
        bytes.set(p instanceof Float32Array ? new Uint8Array(p.buffer, p.byteOffset, p.byteLength) : p, offset);
        parts.push(p instanceof Float32Array ? images : -images);
        offset += p.byteLength;
      }
      const res = await pool.call({ input, parts, n });
      free.push(res.input);
      return res.outputs;
    },
  };
}
