// A fixed set of inference workers, each running one batch at a time. The
// batcher asks how many are idle and hands each a whole batch.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn.js';
import type { OutputData, RunRequest, WorkerInit, WorkerMessage } from './inference-worker.js';

export type Outputs = Record<string, OutputData>;

/** What the batcher needs from whoever runs batches; tests substitute a fake. */
export interface Runner {
  idle(): number;
  run(input: Float32Array, n: number): Promise<Outputs>;
}

interface Slot {
  worker: Worker;
  job?: { resolve: (o: Outputs) => void; reject: (e: Error) => void };
}

const newWorker = (init: WorkerInit) => spawnWorker(import.meta.url, 'inference-worker', init);

export class WorkerPool implements Runner {
  /** Called when a replacement worker comes up, so queued work does not wait for the next request. */
  onIdle?: () => void;
  private slots: Slot[] = [];
  private nextId = 0;
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
    let n = 0;
    for (const s of this.slots) if (!s.job) n++;
    return n;
  }

  size(): number {
    return this.slots.length;
  }

  run(input: Float32Array, n: number): Promise<Outputs> {
    const slot = this.slots.find((s) => !s.job);
    if (!slot) return Promise.reject(new Error('no idle inference worker (the batcher must check idle() first)'));
    return new Promise<Outputs>((resolve, reject) => {
      slot.job = { resolve, reject };
      const req: RunRequest = { id: this.nextId++, input, n };
      // The input buffer moves to the worker instead of being copied; the caller must not reuse it.
      const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
      slot.worker.postMessage(req, whole && input.buffer instanceof ArrayBuffer ? [input.buffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const worker = newWorker(this.init);
    const slot: Slot = { worker };
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          started = true;
          this.slots.push(slot);
          resolve();
          this.onIdle?.();
        } else if (m.type === 'failed') reject(new Error(`inference worker could not load the model: ${m.error}`));
        else {
          const job = slot.job;
          slot.job = undefined;
          if (m.type === 'result') job?.resolve(m.outputs);
          else job?.reject(new Error(`inference failed: ${m.error}`));
        }
      });
      worker.on('error', (e) => {
        if (!started) reject(e);
        slot.job?.reject(new Error(`inference worker crashed: ${e.message}`));
        slot.job = undefined;
      });
      worker.on('exit', () => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        slot.job?.reject(new Error('inference worker exited'));
        // A crashed worker is replaced so capacity does not silently shrink.
        if (started && !this.closed) this.spawn().catch(() => {});
      });
    });
  }
}
