// The server process the serve benchmark and soak talk to: `onnx-mnist serve`
// on loopback, any free port.
// Prints "ready URL" once the model is loaded; SIGTERM shuts it down gracefully.
import { parseArgs } from 'node:util';
import { SERVE_DEFAULTS, startServer } from '../src/serve/server.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    workers: { type: 'string', default: String(SERVE_DEFAULTS.workers) },
    'max-batch-size': { type: 'string', default: String(SERVE_DEFAULTS.maxBatchSize) },
    'max-queue-delay-ms': { type: 'string', default: String(SERVE_DEFAULTS.maxQueueDelayMs) },
  },
});
if (!values.model) throw new Error('--model is required');

const server = await startServer({
  ...SERVE_DEFAULTS,
  modelPath: values.model,
  host: '127.0.0.1',
  port: 0,
  workers: Number(values.workers),
  maxBatchSize: Number(values['max-batch-size']),
  maxQueueDelayMs: Number(values['max-queue-delay-ms']),
});
await server.ready;
console.log(`ready ${server.url}`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
if (process.env.MEMLOG) {
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number) => (n / 2 ** 20).toFixed(0);
    console.error(`mem rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
  }, 10_000).unref();
}
