// A bounded FIFO of work waiting for a worker, shared by the inference batcher and
// the image decoders: it refuses work beyond its bound instead of growing, drops
// work whose client has gone (nobody would read the answer), and refuses work that
// has waited past its deadline, so nothing waits forever.
import { ClientGoneError } from './errors.js';

/** Refusals that say "not now": the HTTP layer answers them 503 with Retry-After. */
export class Unavailable extends Error {}
export class QueueFullError extends Unavailable { override name = 'QueueFullError'; }
export class QueueTimeoutError extends Unavailable { override name = 'QueueTimeoutError'; }

/** Whether whoever asked still wants the answer: an AbortSignal, or anything with `aborted`. */
export interface Cancel { readonly aborted: boolean }

export interface Waiting<J, R> {
  job: J;
  /** What the item counts against the bound (images, bytes). */
  size: number;
  since: number;
  signal?: Cancel;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

export interface WorkQueueOptions {
  /** Most total size waiting; more is refused with QueueFullError. */
  maxSize: number;
  /** Most ms an item may wait; then it is refused with QueueTimeoutError. 0: no deadline. */
  timeoutMs: number;
  /** How the bound's unit reads in messages, e.g. "images". */
  unit: string;
  /** What the queue is, for messages and metrics, e.g. "inference". */
  name: string;
  onDrop?(reason: 'cancelled' | 'deadline'): void;
  /** Items left the queue on their own (dropped or expired): the owner may want to settle up. */
  onChange?(): void;
}

export class WorkQueue<J, R> {
  private items: Waiting<J, R>[] = [];
  private total = 0;
  private expiry?: NodeJS.Timeout;

  constructor(private readonly opts: WorkQueueOptions) {}

  get length(): number { return this.items.length; }
  /** Total size waiting. */
  get size(): number { return this.total; }

  /** Queues `job`; the promise settles when the owner resolves it, or with the reason it was refused or dropped. */
  add(job: J, size: number, signal?: Cancel): Promise<R> {
    const { maxSize, unit, name } = this.opts;
    if (this.total + size > maxSize) {
      return Promise.reject(new QueueFullError(`${name} queue is full (${this.total} ${unit} waiting, the limit is ${maxSize}); retry later`));
    }
    return new Promise<R>((resolve, reject) => {
      this.items.push({ job, size, since: performance.now(), signal, resolve, reject });
      this.total += size;
      if (this.opts.timeoutMs > 0) this.expiry ??= setTimeout(() => this.expire(), this.opts.timeoutMs);
    });
  }

  /** The next item that is still wanted and in time, left in the queue; those before it are dropped. */
  peek(): Waiting<J, R> | undefined {
    const oldest = this.opts.timeoutMs > 0 ? performance.now() - this.opts.timeoutMs : -Infinity;
    while (this.items.length > 0) {
      const w = this.items[0];
      const gone = w.signal?.aborted === true;
      if (!gone && w.since > oldest) return w;
      this.remove();
      this.opts.onDrop?.(gone ? 'cancelled' : 'deadline');
      w.reject(gone ? new ClientGoneError()
        : new QueueTimeoutError(`the request waited ${this.opts.timeoutMs} ms in the ${this.opts.name} queue without starting; retry later`));
    }
    return undefined;
  }

  /** Takes the item peek() returned. */
  take(): Waiting<J, R> {
    return this.remove();
  }

  /** Refuses everything waiting with `e`. */
  failAll(e: Error): void {
    const items = this.items;
    this.items = [];
    this.total = 0;
    this.disarm();
    for (const w of items) w.reject(e);
  }

  private remove(): Waiting<J, R> {
    const w = this.items.shift()!;
    this.total -= w.size;
    if (this.items.length === 0) this.disarm();
    return w;
  }

  private disarm(): void {
    clearTimeout(this.expiry);
    this.expiry = undefined;
  }

  /** Refuses what has waited too long at the head, then re-arms for the new head. */
  private expire(): void {
    this.expiry = undefined;
    const before = this.items.length;
    this.peek();
    if (this.items.length > 0) {
      const left = this.items[0].since + this.opts.timeoutMs - performance.now();
      this.expiry = setTimeout(() => this.expire(), Math.max(1, left));
    }
    if (this.items.length !== before) this.opts.onChange?.();
  }
}
