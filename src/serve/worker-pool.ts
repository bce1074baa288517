// A fixed set of inference workers, each running one batch at a time. The
// batcher asks how many are idle and hands each a whole batch.
import { RpcWorker, wholeBuffer } from '../workers/rpc.js';
import type { Outputs, RunRequest, WorkerInit } from './inference-worker.js';

export type { Outputs };

/** What the batcher needs from whoever runs batches; tests substitute a fake. */
export interface Runner {
  idle(): number;
  run(input: Float32Array, n: number): Promise<Outputs>;
}

interface Slot { rpc: RpcWorker<RunRequest, Outputs>; up: boolean; busy: boolean }

const isIdle = (s: Slot) => s.up && !s.busy && !s.rpc.error;

export class WorkerPool implements Runner {
  /** Called when a replacement worker comes up, so queued work does not wait for the next request. */
  onIdle?: () => void;
  // Every live worker, loading ones included, so close() stops those too.
  private slots: Slot[] = [];
  private closed = false;

  private constructor(private readonly init: WorkerInit) {}

  /** Starts `count` workers and resolves once every one has its session loaded. */
  static async start(model: Uint8Array, count: number, intraOpNumThreads = 1): Promise<WorkerPool> {
    const pool = new WorkerPool({ model, intraOpNumThreads });
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  idle(): number {
    return this.slots.filter(isIdle).length;
  }

  size(): number {
    return this.slots.filter((s) => s.up).length;
  }

  run(input: Float32Array, n: number): Promise<Outputs> {
    const slot = this.slots.find(isIdle);
    if (!slot) return Promise.reject(new Error('no idle inference worker (the batcher must check idle() first)'));
    slot.busy = true;
    // The input buffer moves to the worker instead of being copied; the caller must not reuse it.
    const whole = wholeBuffer(input);
    // The slot is free again before the caller's handlers run, so they may dispatch to it.
    return slot.rpc.call({ input, n }, whole ? [whole] : []).finally(() => { slot.busy = false; });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.rpc.terminate()));
  }

  private spawn(): Promise<void> {
    const slot: Slot = {
      up: false,
      busy: false,
      rpc: new RpcWorker(import.meta.url, 'inference-worker', this.init, {
        label: 'inference worker',
        startFailed: 'inference worker could not load the model',
        callFailed: 'inference failed',
        onExit: () => {
          const i = this.slots.indexOf(slot);
          if (i >= 0) this.slots.splice(i, 1);
          // A crashed worker is replaced so capacity does not silently shrink.
          if (slot.up && !this.closed) this.spawn().catch(() => {});
        },
      }),
    };
    this.slots.push(slot);
    return slot.rpc.ready.then(() => {
      slot.up = true;
      this.onIdle?.();
    });
  }
}
