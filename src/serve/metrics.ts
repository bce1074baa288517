// Prometheus metrics for GET /metrics. Each server gets its own registry, so
// several apps in one process (tests) do not share counters.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

export class Metrics {
  readonly registry = new Registry();
  /** http_requests_total and http_request_duration_seconds, recorded cheaply per request. */
  readonly http = new RequestMetrics(this.registry);
  readonly images = new Counter({
    name: 'inference_images_total',
    help: 'Images run through the model',
    registers: [this.registry],
  });
  readonly batches = new Histogram({
    name: 'inference_batch_size',
    help: 'Images per model run (dynamic batching merges requests)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'inference_batch_duration_seconds',
    help: 'Time of one model run in a worker, hand-off included',
    buckets: [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'inference_requests_dropped_total',
    help: 'Requests taken off a queue without running: the client had gone, or the request waited past its deadline',
    labelNames: ['queue', 'reason'] as const,
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'http_connections_refused_total',
    help: 'Connections closed as they arrived because --max-connections were already open',
    registers: [this.registry],
  });
  private connectionSource: () => Promise<number> = async () => 0;
  readonly connections: Gauge = new Gauge({
    name: 'http_connections_open',
    help: 'Open client connections, idle keep-alive ones included',
    registers: [this.registry],
    collect: async (): Promise<void> => { this.connections.set(await this.connectionSource()); },
  });
  private queueSource: () => number = () => 0;
  readonly queue: Gauge = new Gauge({
    name: 'inference_queue_length',
    help: 'Requests waiting for a batch slot',
    registers: [this.registry],
    collect: (): void => this.queue.set(this.queueSource()),
  });

  /** Where the open-connections gauge reads from at scrape time. */
  watchConnections(source: () => Promise<number>): void {
    this.connectionSource = source;
  }

  /** Where the queue gauge reads from at scrape time. */
  watchQueue(source: () => number): void {
    this.queueSource = source;
  }

  /** For the batcher: one model run of `size` images took `seconds`. */
  readonly observeBatch = (size: number, seconds: number): void => {
    this.images.inc(size);
    this.batches.observe(size);
    this.batchSeconds.observe(seconds);
  };
}
