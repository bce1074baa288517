// `onnx-mnist serve`: options, startup messages, signal handling. The process-level
// runtime lives here, at the edge; src/serve/ knows nothing of the command line.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { checked, fail, nonNegative, port, positiveInt } from './options.js';
import { checkModelName } from '../export/model-name.js';
import { isLoopback, SERVE_DEFAULTS, startServer } from '../serve/server.js';

export function registerServe(program: Command): void {
  const d = SERVE_DEFAULTS;
  program.command('serve')
    .description('serve the model over HTTP: Open Inference Protocol (KServe v2) and POST /v1/predict for images')
    .option('--model <path>', 'ONNX artifact from `onnx-mnist train`', d.modelPath)
    .option('--host <addr>', 'address to listen on (loopback by default: the server has no authentication)', d.host)
    .option('--port <n>', 'port (0 = any free port)', port, d.port)
    .option('--name <name>', 'model name in /v2/models/{name}', checked(checkModelName), d.modelName)
    .option('--workers <n>', `inference worker threads (this machine has ${availableParallelism()} cores)`, positiveInt('--workers'), d.workers)
    .option('--threads <n>', 'ONNX Runtime intra-op threads per worker', positiveInt('--threads'), d.intraOpNumThreads)
    .option('--max-batch-size <n>', 'most images per model run; larger requests are refused', positiveInt('--max-batch-size'), d.maxBatchSize)
    .option('--max-queue-delay-ms <ms>', 'how long a request may wait for others to batch with', nonNegative('--max-queue-delay-ms'), d.maxQueueDelayMs)
    .option('--max-queue <n>', 'requests allowed to wait; beyond that the answer is 503', positiveInt('--max-queue'), d.maxQueue)
    .option('--max-body-mb <n>', 'largest request body in MiB', nonNegative('--max-body-mb'), d.maxBodyBytes / 2 ** 20)
    .option('--max-image-mp <n>', 'largest image in megapixels (checked from the header)', nonNegative('--max-image-mp'), d.maxImagePixels / 1e6)
    .action(async (o) => {
      if (!isLoopback(o.host)) console.warn(`warning: listening on ${o.host}, beyond this machine; put authentication in front of it`);
      const server = await startServer({
        ...d, modelPath: o.model, host: o.host, port: o.port, modelName: o.name, workers: o.workers,
        intraOpNumThreads: o.threads, maxBatchSize: o.maxBatchSize, maxQueueDelayMs: o.maxQueueDelayMs,
        maxQueue: o.maxQueue, maxBodyBytes: Math.round(o.maxBodyMb * 2 ** 20), maxImagePixels: Math.round(o.maxImageMp * 1e6),
      }).catch(fail);
      console.log(`listening on ${server.url} (model "${o.name}" loading from ${o.model})`);
      server.ready.then(
        () => console.log(`ready: draw a digit at ${server.url}/; POST ${server.url}/v1/predict, ${server.url}/v2/models/${o.name}/infer; metrics at ${server.url}/metrics`),
        (e) => { void server.close(); fail(e); },
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) { console.error(`${signal} again: exiting without waiting`); process.exit(1); }
        stopping = true;
        console.log(`${signal}: no new connections; finishing queued requests`);
        server.close().then(() => { console.log('stopped'); process.exit(0); }, fail);
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
