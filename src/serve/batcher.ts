// Dynamic batching in the manner of Triton's dynamic batcher: requests that
// arrive close together run as one batch, bounded by a maximum batch size and
// a maximum delay, behind a queue bounded in images (one request may carry 256),
// with a deadline, that drops requests whose client has gone (work-queue.ts).
import { Unavailable, WorkQueue, type Cancel, type Waiting } from './work-queue.js';
import type { Outputs, Pixels, Runner } from './worker-pool.js';

export { QueueFullError, QueueTimeoutError, Unavailable } from './work-queue.js';

export interface BatcherOptions {
  /** Most images in one model run. A request may not be larger than this. */
  maxBatchSize: number;
  /** How long (ms) a request may wait for others to join its batch when a worker is free. 0: none. */
  maxQueueDelayMs: number;
  /** Most images waiting (not yet running); more are refused with QueueFullError. Queued input is 3136 bytes an image. */
  maxQueuedImages: number;
  /** How long (ms) a request may wait for a worker before it is refused with QueueTimeoutError. 0: no deadline. */
  queueTimeoutMs: number;
}

export class ShuttingDownError extends Unavailable { override name = 'ShuttingDownError'; }
export class NoWorkerError extends Unavailable { override name = 'NoWorkerError'; }

export interface BatcherEvents {
  /** One model run of `batchImages` took `seconds`, hand-off included. */
  onBatch?(batchImages: number, seconds: number): void;
  /** A queued request was dropped without running. */
  onDrop?(reason: 'cancelled' | 'deadline'): void;
}

type Pending = Waiting<Pixels, Outputs>;
const noWorker = () => new NoWorkerError('no inference worker is running (starting one failed; retrying)');

export class Batcher {
  private readonly queue: WorkQueue<Pixels, Outputs>;
  private readonly onBatch?: BatcherEvents['onBatch'];
  private running = 0;
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private draining = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly runner: Runner, readonly opts: BatcherOptions, events: BatcherEvents = {}) {
    this.queue = new WorkQueue({
      maxSize: opts.maxQueuedImages, timeoutMs: opts.queueTimeoutMs, unit: 'images', name: 'inference',
      onDrop: events.onDrop, onChange: () => this.settle(),
    });
    this.onBatch = events.onBatch;
  }

  /** Requests waiting, not counting those already running. */
  queueLength(): number {
    return this.queue.length;
  }

  /** Images waiting, not counting those already running. */
  queuedImageCount(): number {
    return this.queue.size;
  }

  /** Runs n images; resolves with this request's rows of every output. An aborted `signal` drops it from the queue. */
  infer(input: Pixels, n: number, signal?: Cancel): Promise<Outputs> {
    if (this.draining) return Promise.reject(new ShuttingDownError('server is shutting down'));
    if (n < 1 || n > this.opts.maxBatchSize) {
      return Promise.reject(new RangeError(`batch of ${n} images; the limit is 1..${this.opts.maxBatchSize}`));
    }
    if (this.runner.down()) return Promise.reject(noWorker());
    const p = this.queue.add(input, n, signal);
    this.schedule();
    return p;
  }

  /** Stops taking requests and resolves once everything queued and running has finished. */
  drain(): Promise<void> {
    this.draining = true;
    this.schedule();
    return this.idle();
  }

  /** Stops taking requests, refuses everything queued, and resolves once the running batches finish. */
  abandon(): Promise<void> {
    this.draining = true;
    this.queue.failAll(new ShuttingDownError('server is shutting down; this request had not started'));
    this.settle();
    return this.idle();
  }

  private idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => { this.waiters.push(resolve); });
  }

  /** Decides whether to start a batch now, after the current I/O turn, or after the delay. */
  schedule(): void {
    if (this.queue.length === 0) return this.settle();
    if (this.runner.down()) {
      this.queue.failAll(noWorker());
      return this.settle();
    }
    if (this.runner.idle() === 0 && !this.pipeline()) return;
    const head = this.queue.peek();
    if (!head) return this.settle();
    const full = this.queue.size >= this.opts.maxBatchSize;
    const wait = this.opts.maxQueueDelayMs - (performance.now() - head.since);
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
    while (this.queue.length > 0 && this.runner.idle() > 0 && this.dispatch());
    while (this.pipeline() && this.dispatch());
    this.schedule();
  }

  /**
   * Whether to hand a busy worker its next batch now: only when a full batch waits. Small
   * requests keep waiting for a free worker, so they gather into one batch meanwhile.
   */
  private pipeline(): boolean {
    return this.queue.size >= this.opts.maxBatchSize && this.runner.spare() > 0;
  }

  /** Tells drain() and abandon() when nothing is queued or running any more. */
  private settle(): void {
    if (this.draining && this.queue.length === 0 && this.running === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Starts one batch from the head of the queue; false if nothing was left to run. */
  private dispatch(): boolean {
    const batch: Pending[] = [];
    let images = 0;
    for (let p = this.queue.peek(); p && images + p.size <= this.opts.maxBatchSize; p = this.queue.peek()) {
      batch.push(this.queue.take());
      images += p.size;
    }
    if (batch.length === 0) return false;
    this.running++;
    const t0 = performance.now();
    this.runner.run(batch.map((p) => p.job), images).then(
      (outputs) => {
        this.onBatch?.(images, (performance.now() - t0) / 1000);
        let row = 0;
        for (const p of batch) {
          const mine: Outputs = {};
          for (const name in outputs) {
            const data = outputs[name];
            const per = data.length / images;
            mine[name] = data.subarray(row * per, (row + p.size) * per);
          }
          row += p.size;
          p.resolve(mine);
        }
      },
      (e: Error) => { for (const p of batch) p.reject(e); },
    ).finally(() => {
      this.running--;
      this.schedule();
    });
    return true;
  }
}
