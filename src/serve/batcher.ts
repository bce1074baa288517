// Dynamic batching in the manner of Triton's dynamic batcher: requests that
// arrive close together run as one batch, bounded by a maximum batch size and
// a maximum delay, with a bounded queue that refuses work instead of growing.
import { IMAGE_SIZE } from '../data/mnist-spec.js';
import type { Outputs, Runner } from './worker-pool.js';

export interface BatcherOptions {
  /** Most images in one model run. A request may not be larger than this. */
  maxBatchSize: number;
  /** How long (ms) a request may wait for others to join its batch when a worker is free. 0: none. */
  maxQueueDelayMs: number;
  /** Most requests waiting (not yet running); more are refused with QueueFullError. */
  maxQueue: number;
}

export class QueueFullError extends Error { override name = 'QueueFullError'; }
export class ShuttingDownError extends Error { override name = 'ShuttingDownError'; }

interface Pending {
  input: Float32Array;
  n: number;
  since: number;
  resolve: (o: Outputs) => void;
  reject: (e: Error) => void;
}

export interface BatchObserver { (batchImages: number, seconds: number): void }

export class Batcher {
  private queue: Pending[] = [];
  private queuedImages = 0;
  private running = 0;
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private draining = false;
  private drained?: () => void;

  constructor(
    private readonly runner: Runner,
    readonly opts: BatcherOptions,
    private readonly onBatch: BatchObserver = () => {},
  ) {}

  /** Requests waiting, not counting those already running. */
  queueLength(): number {
    return this.queue.length;
  }

  /** Runs n images (n*784 floats in [0,1]); resolves with this request's rows of every output. */
  infer(input: Float32Array, n: number): Promise<Outputs> {
    if (this.draining) return Promise.reject(new ShuttingDownError('server is shutting down'));
    if (n < 1 || n > this.opts.maxBatchSize) {
      return Promise.reject(new RangeError(`batch of ${n} images; the limit is 1..${this.opts.maxBatchSize}`));
    }
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new QueueFullError(`inference queue is full (${this.opts.maxQueue} requests waiting); retry later`));
    }
    return new Promise<Outputs>((resolve, reject) => {
      this.queue.push({ input, n, since: performance.now(), resolve, reject });
      this.queuedImages += n;
      this.schedule();
    });
  }

  /** Stops taking requests and resolves once everything queued and running has finished. */
  drain(): Promise<void> {
    this.draining = true;
    this.schedule();
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => { this.drained = resolve; });
  }

  /** Decides whether to start a batch now, after the current I/O turn, or after the delay. */
  schedule(): void {
    if (this.queue.length === 0 || this.runner.idle() === 0) return;
    const full = this.queuedImages >= this.opts.maxBatchSize;
    const wait = this.opts.maxQueueDelayMs - (performance.now() - this.queue[0].since);
    if (full || this.draining || wait <= 0) {
      // setImmediate runs after the I/O callbacks of this loop turn, so every
      // request whose body arrived in the same turn joins this batch.
      this.immediate ??= setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), wait);
    }
  }

  private flush(): void {
    this.immediate = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.runner.idle() > 0) this.dispatch();
    this.schedule();
  }

  private dispatch(): void {
    const batch: Pending[] = [];
    let images = 0;
    while (this.queue.length > 0 && images + this.queue[0].n <= this.opts.maxBatchSize) {
      const p = this.queue.shift()!;
      batch.push(p);
      images += p.n;
    }
    this.queuedImages -= images;
    let input: Float32Array;
    if (batch.length === 1) input = batch[0].input;
    else {
      input = new Float32Array(images * IMAGE_SIZE);
      let at = 0;
      for (const p of batch) { input.set(p.input, at * IMAGE_SIZE); at += p.n; }
    }
    this.running++;
    const t0 = performance.now();
    this.runner.run(input, images).then(
      (outputs) => {
        this.onBatch(images, (performance.now() - t0) / 1000);
        let row = 0;
        for (const p of batch) {
          const mine: Outputs = {};
          for (const [name, data] of Object.entries(outputs)) {
            const per = data.length / images;
            mine[name] = data.subarray(row * per, (row + p.n) * per);
          }
          row += p.n;
          p.resolve(mine);
        }
      },
      (e: Error) => { for (const p of batch) p.reject(e); },
    ).finally(() => {
      this.running--;
      this.schedule();
      if (this.draining && this.queue.length === 0 && this.running === 0) this.drained?.();
    });
  }
}
