// A fixed set of worker threads of one kind (inference, image decoding), each doing
// one job at a time. A worker that dies is replaced; when a replacement fails to
// start, the pool says it is down (so the server is not ready and refuses work at
// once instead of queueing it for nobody) and retries with a growing delay.
import { RpcWorker } from '../workers/rpc.js';
import type { Outputs } from './inference-worker.js';
import { Unavailable } from './work-queue.js';

export type { Outputs };

/** Images of model input: floats in [0,1], or bytes 0..255 (the binary UINT8 input, converted only when a batch is written). */
export type Pixels = Float32Array | Uint8Array;

/** What the batcher needs from whoever runs batches; tests substitute a fake. */
export interface Runner {
  /** Workers with nothing to do. */
  idle(): number;
  /** Busy workers that would take one more job to start the moment they finish (see PoolSpec.depth). */
  spare(): number;
  /** True while no worker runs and starting one has failed: queued work would wait for nothing. */
  down(): boolean;
  /** Runs the parts (each some whole images) as one batch of n images. */
  run(parts: Pixels[], n: number): Promise<Outputs>;
}

/** The worker doing this job exited (crash, out of memory, terminate): the request may be retried. */
export class WorkerLostError extends Unavailable { override name = 'WorkerLostError'; }

export interface PoolSpec {
  /** The worker module's base name beside this file, e.g. 'inference-worker'. */
  module: string;
  /** Its workerData. */
  init: unknown;
  /** How errors name one worker, e.g. 'inference worker'. */
  label: string;
  startFailed: string;
  callFailed: string;
  /**
   * Jobs one worker may hold: 2 lets it start the next batch the moment the last ends,
   * instead of idling while the HTTP thread answers and dispatches. Default 1.
   */
  depth?: number;
}

interface Slot<Req, Res> { rpc: RpcWorker<Req, Res>; up: boolean; jobs: Set<Promise<unknown>> }

const isUp = <Req, Res>(s: Slot<Req, Res>) => s.up && !s.rpc.error;

/** Delays between attempts to replace a worker that failed to start, ms. */
const RESPAWN_DELAY = { first: 500, max: 30_000 };

export class WorkerPool<Req, Res> {
  /** Called when a worker comes up or goes, so queued work is run or refused without waiting for the next request. */
  onChange?: () => void;
  // Every live worker, loading ones included, so close() stops those too.
  private slots: Slot<Req, Res>[] = [];
  private closed = false;
  private failing = false;
  private delay = RESPAWN_DELAY.first;
  private retry?: NodeJS.Timeout;

  private constructor(private readonly spec: PoolSpec) {}

  /** Starts `count` workers and resolves once every one is ready. */
  static async start<Req, Res>(spec: PoolSpec, count: number): Promise<WorkerPool<Req, Res>> {
    const pool = new WorkerPool<Req, Res>(spec);
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  idle(): number {
    let n = 0;
    for (const s of this.slots) if (isUp(s) && s.jobs.size === 0) n++;
    return n;
  }

  spare(): number {
    let n = 0;
    for (const s of this.slots) if (isUp(s) && s.jobs.size > 0 && s.jobs.size < (this.spec.depth ?? 1)) n++;
    return n;
  }

  /** Workers that are up. */
  size(): number {
    return this.slots.filter(isUp).length;
  }

  down(): boolean {
    return this.failing && this.size() === 0;
  }

  /** Runs one job on an idle worker, else a spare one (check first). `transfer` moves those buffers: the caller must not touch them again. */
  call(req: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    const depth = this.spec.depth ?? 1;
    const slot = this.slots.find((s) => isUp(s) && s.jobs.size === 0) ?? this.slots.find((s) => isUp(s) && s.jobs.size < depth);
    if (!slot) return Promise.reject(new Error(`no idle ${this.spec.label} (check idle() first)`));
    // The job leaves the slot before the caller's handlers run, so they may dispatch to it.
    const job: Promise<Res> = slot.rpc.call(req, transfer).then(
      (out) => { slot.jobs.delete(job); return out; },
      (e: Error) => {
        slot.jobs.delete(job);
        throw slot.rpc.error ? new WorkerLostError(`the ${this.spec.label} stopped during this request (${slot.rpc.error.message}); retry`) : e;
      },
    );
    slot.jobs.add(job);
    return job;
  }

  /**
   * Stops every worker once its current job is done. NOTE: ending a worker thread while it
   * is inside ONNX Runtime's session.run aborts the whole process (exit 134: a native
   * exception meets the thread's termination), so a busy worker is never terminated.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map(async (s) => {
      await Promise.allSettled(s.jobs);
      await s.rpc.terminate();
    }));
  }

  private spawn(): Promise<void> {
    const { module, init, depth: _depth, ...names } = this.spec;
    const slot: Slot<Req, Res> = {
      up: false,
      jobs: new Set(),
      rpc: new RpcWorker(import.meta.url, module, init, {
        ...names,
        onExit: () => {
          const i = this.slots.indexOf(slot);
          if (i >= 0) this.slots.splice(i, 1);
          // A worker that was serving is replaced so capacity does not silently shrink; one
          // that failed to start is retried by replace() on its own schedule.
          if (slot.up && !this.closed) this.replace();
          this.onChange?.();
        },
      }),
    };
    this.slots.push(slot);
    return slot.rpc.ready.then(() => {
      slot.up = true;
      this.onChange?.();
    });
  }

  private replace(): void {
    this.spawn().then(
      () => { this.failing = false; this.delay = RESPAWN_DELAY.first; },
      (e: Error) => {
        if (this.closed) return;
        this.failing = true;
        console.error(`${e.message}; trying again in ${this.delay / 1000} s`);
        this.retry = setTimeout(() => this.replace(), this.delay);
        this.retry.unref(); // a server that is otherwise done does not stay up for this
        this.delay = Math.min(2 * this.delay, RESPAWN_DELAY.max);
        this.onChange?.();
      },
    );
  }
}
