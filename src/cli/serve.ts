// `onnx-mnist serve`: options, startup messages, signal handling. The process-level
// runtime lives here, at the edge; src/serve/ knows nothing of the command line.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { checked, fail, nonNegative, nonNegativeInt, port, positiveInt } from './options.js';
import { checkModelName } from '../export/model-name.js';
import { isLoopback, SERVE_DEFAULTS, startServer } from '../serve/server.js';

const MiB = 2 ** 20;

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
    .option('--max-queue-images <n>', 'images allowed to wait for inference; beyond that the answer is 503', positiveInt('--max-queue-images'), d.maxQueuedImages)
    .option('--queue-timeout-ms <ms>', 'how long a request may wait for a worker before it gets 503 (0: no deadline)', nonNegativeInt('--queue-timeout-ms'), d.queueTimeoutMs)
    .option('--image-workers <n>', 'worker threads that decode and preprocess uploaded pictures', positiveInt('--image-workers'), d.imageWorkers)
    .option('--max-upload-images <n>', 'most pictures in one upload', positiveInt('--max-upload-images'), d.maxUploadImages)
    .option('--max-body-mb <n>', 'largest image or multipart body in MiB (JSON bodies get a limit sized to --max-batch-size)', nonNegative('--max-body-mb'), d.maxBodyBytes / MiB)
    .option('--max-image-mp <n>', 'largest image in megapixels (checked from the header)', nonNegative('--max-image-mp'), d.maxImagePixels / 1e6)
    .option('--max-image-decode-mb <n>', 'most memory decoding one image may take, in MiB: width x height x channels x bytes per sample', nonNegative('--max-image-decode-mb'), d.maxDecodedBytes / MiB)
    .option('--max-connections <n>', 'open connections at most; more are closed as they arrive', positiveInt('--max-connections'), d.maxConnections)
    .option('--request-timeout-ms <ms>', 'time a client has to send a whole request (408 after)', positiveInt('--request-timeout-ms'), d.requestTimeoutMs)
    .option('--idle-timeout-ms <ms>', 'a connection with no traffic either way for this long is closed', positiveInt('--idle-timeout-ms'), d.idleTimeoutMs)
    .action(async (o) => {
      if (!isLoopback(o.host)) console.warn(`warning: listening on ${o.host}, beyond this machine; put authentication in front of it`);
      const server = await startServer({
        ...d, modelPath: o.model, host: o.host, port: o.port, modelName: o.name, workers: o.workers,
        intraOpNumThreads: o.threads, maxBatchSize: o.maxBatchSize, maxQueueDelayMs: o.maxQueueDelayMs,
        maxQueuedImages: o.maxQueueImages, queueTimeoutMs: o.queueTimeoutMs, imageWorkers: o.imageWorkers,
        maxUploadImages: o.maxUploadImages, maxBodyBytes: Math.round(o.maxBodyMb * MiB), maxImagePixels: Math.round(o.maxImageMp * 1e6),
        maxDecodedBytes: Math.round(o.maxImageDecodeMb * MiB), maxConnections: o.maxConnections,
        requestTimeoutMs: o.requestTimeoutMs, idleTimeoutMs: o.idleTimeoutMs,
      }).catch(fail);
      console.log(`listening on ${server.url} (model "${o.name}" loading from ${o.model})`);
      server.ready.then(
        () => console.log(`ready: draw a digit at ${server.url}/; POST ${server.url}/v1/predict, ${server.url}/v2/models/${o.name}/infer; metrics at ${server.url}/metrics`),
        (e) => { void server.close(); fail(e); },
      );
      let signals = 0;
      const exit = () => { console.log('stopped'); process.exit(0); };
      const stop = (signal: string) => {
        // NOTE: never process.exit() here while a batch runs: ending a worker thread inside
        // ONNX Runtime's session.run aborts the whole process (exit 134). A second signal
        // refuses what is queued and waits only for the running batches (milliseconds).
        if (++signals === 1) {
          console.log(`${signal}: no new connections; finishing queued requests`);
          server.close().then(exit, fail);
        } else if (signals === 2) {
          console.error(`${signal} again: refusing queued requests (503); stopping once the running batch ends`);
          server.stop().then(exit, fail);
        } else {
          console.error(`${signal} a third time: exiting now`);
          process.exit(1);
        }
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
