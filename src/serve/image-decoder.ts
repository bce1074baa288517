// Uploaded pictures are decoded and preprocessed in worker threads behind a bounded
// queue, one picture per worker at a time, so the HTTP thread only moves bytes and a
// flood of uploads waits its turn (or gets 503) instead of freezing health checks.
// Memory for decoding is bounded by workers x ImageLimits.maxDecodedBytes; memory
// for waiting pictures by maxQueuedBytes.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { wholeBuffer } from '../workers/rpc.js';
import { HttpError } from './errors.js';
import type { ImageLimits } from './image.js';
import type { ImageInfo, ImageJob, ImageResult } from './image-worker.js';
import { Unavailable, WorkQueue, type Cancel } from './work-queue.js';
import { WorkerPool } from './worker-pool.js';

export type { ImageInfo };

export interface ImageOptions {
  imageWorkers: number;
  /** Most pixels (width x height) a picture's header may claim. */
  maxImagePixels: number;
  /** Most bytes a decoded picture may take (image.ts, decodedBytes). */
  maxDecodedBytes: number;
  /** Most bytes of image files waiting for a worker; more are refused (503). */
  maxQueuedImageBytes: number;
  /** How long (ms) a picture may wait for a worker; 0: no deadline. */
  queueTimeoutMs: number;
}

export const IMAGE_DEFAULTS: ImageOptions = {
  imageWorkers: 1,
  maxImagePixels: 40_000_000,
  maxDecodedBytes: 128 << 20,
  maxQueuedImageBytes: 64 << 20,
  queueTimeoutMs: 10_000,
};

export interface DecodedDigit { pixels: Float32Array; image: ImageInfo }

export class ImageDecoder {
  /** Settles when the workers are up (or failed to start). */
  readonly started: Promise<void>;
  private pool?: WorkerPool<ImageJob, ImageResult>;
  private readonly queue: WorkQueue<ImageJob, DecodedDigit>;

  constructor(opts: ImageOptions, onDrop?: (reason: string) => void) {
    this.queue = new WorkQueue({ maxSize: opts.maxQueuedImageBytes, timeoutMs: opts.queueTimeoutMs, unit: 'bytes', name: 'image', onDrop });
    const limits: ImageLimits = { maxPixels: opts.maxImagePixels, maxDecodedBytes: opts.maxDecodedBytes };
    this.started = WorkerPool.start<ImageJob, ImageResult>({
      module: 'image-worker', init: limits, label: 'image worker', startFailed: 'image worker could not start', callFailed: 'image decoding failed',
    }, opts.imageWorkers).then((pool) => {
      this.pool = pool;
      pool.onChange = () => this.pump();
    });
    this.started.catch(() => {}); // the caller awaits `started`; this only silences the unhandled copy
  }

  /** One picture to model input; refusals are HttpErrors (400, 413, 415, 422, 503). `bytes` moves to the worker. */
  decode(bytes: Uint8Array, name: string, signal?: Cancel): Promise<DecodedDigit> {
    if (!this.pool || this.pool.down()) return Promise.reject(new Unavailable('no image worker is running (starting, or restarting them failed)'));
    const p = this.queue.add({ bytes, name }, bytes.length, signal);
    this.pump();
    return p;
  }

  async close(): Promise<void> {
    this.queue.failAll(new Unavailable('server is shutting down'));
    await this.started.catch(() => {});
    await this.pool?.close();
  }

  private pump(): void {
    const pool = this.pool!;
    if (pool.down()) return this.queue.failAll(new Unavailable('no image worker is running (starting one failed; retrying)'));
    while (pool.idle() > 0 && this.queue.peek()) {
      const w = this.queue.take();
      const whole = wholeBuffer(w.job.bytes);
      pool.call(w.job, whole ? [whole] : []).then((r) => {
        if ('error' in r) w.reject(new HttpError(r.status as ContentfulStatusCode, r.error));
        else w.resolve(r);
      }, w.reject).finally(() => this.pump());
    }
  }
}
