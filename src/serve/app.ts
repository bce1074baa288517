// The HTTP surface: Open Inference Protocol routes, the /v1/predict route for
// people, health and metrics. createApp never listens: tests call
// app.request(...), and server.ts puts it on a socket.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { QueueFullError, ShuttingDownError } from './batcher.js';
import type { Engine } from './engine.js';
import { HttpError, parseJson } from './errors.js';
import { IMAGE_TYPES } from './image.js';
import { Metrics } from './metrics.js';
import { parsePredictImages, parsePredictJson, predictions, type PredictInput } from './predict.js';
import { registerOip } from './oip-routes.js';
import type { Outputs } from './worker-pool.js';

export interface AppOptions {
  engine: Engine;
  /** The name clients use in /v2/models/{name}. */
  modelName?: string;
  /** Largest request body, bytes. */
  maxBodyBytes?: number;
  /** Largest image, width x height as its header claims; larger ones are refused before decoding. */
  maxImagePixels?: number;
  /** Share it with the engine (LocalEngine's onBatch = metrics.observeBatch) so inference counts show. */
  metrics?: Metrics;
  /** Adds POST /bench/parse, which parses a JSON body and answers without inference (benchmark baseline). */
  benchRoutes?: boolean;
}

export const APP_DEFAULTS = { modelName: 'mnist', maxBodyBytes: 8 << 20, maxImagePixels: 40_000_000 };

/** Shared by the route modules: inference with engine errors turned into HTTP answers. */
export interface Served {
  engine: Engine;
  modelName: string;
  run(input: Float32Array, n: number): Promise<Outputs>;
}

export function createApp(options: AppOptions): Hono {
  const o = { ...APP_DEFAULTS, ...options };
  const { engine } = o;
  const metrics = o.metrics ?? new Metrics();
  metrics.watchQueue(() => engine.queueLength());
  const app = new Hono();

  app.use('*', async (c, next) => {
    const t0 = performance.now();
    await next();
    const pattern = routePath(c, -1);
    const route = pattern === '*' || pattern === '/*' ? 'unmatched' : pattern;
    metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) });
    metrics.latency.observe({ route }, (performance.now() - t0) / 1000);
  });
  const limit = bodyLimit({
    maxSize: o.maxBodyBytes,
    onError: (c) => c.json({ error: `request body is over the ${o.maxBodyBytes} byte limit` }, 413),
  });
  app.use('/v1/*', limit);
  app.use('/v2/*', limit);
  app.use('/bench/*', limit);

  const served: Served = {
    engine,
    modelName: o.modelName,
    async run(input, n) {
      if (!engine.isReady()) throw new HttpError(503, 'the model is not ready (still loading, or shutting down)', { 'retry-after': '1' });
      try {
        return await engine.infer(input, n);
      } catch (e) {
        if (e instanceof QueueFullError || e instanceof ShuttingDownError) throw new HttpError(503, e.message, { 'retry-after': '1' });
        if (e instanceof RangeError) throw new HttpError(400, e.message);
        throw e;
      }
    },
  };
  registerOip(app, served);

  app.post('/v1/predict', async (c) => {
    const req = await readPredictBody(c, engine.maxBatchSize, o.maxImagePixels);
    const preds = predictions(req, await served.run(req.input, req.n), engine.spec.labels);
    return c.json(req.batch ? { predictions: preds } : preds[0]);
  });

  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  if (o.benchRoutes) {
    app.post('/bench/parse', async (c) => {
      parseJson(await c.req.text());
      return c.json({ ok: true });
    });
  }

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: err.message }, err.status, err.headers);
    if (err instanceof HTTPException) return c.json({ error: err.message || 'bad request' }, err.status);
    console.error(err);
    return c.json({ error: `internal error: ${err.message}` }, 500);
  });
  return app;
}

const UNSUPPORTED = 'send application/json, image/png, image/jpeg, image/webp (or application/octet-stream) or multipart/form-data';

async function readPredictBody(c: Context, maxBatch: number, maxPixels: number): Promise<PredictInput> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return parsePredictJson(await c.req.text(), maxBatch);
  if (type in IMAGE_TYPES || type === 'application/octet-stream') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new HttpError(400, 'the body is empty; send the image file as the body');
    return parsePredictImages([{ bytes, name: 'image' }], maxBatch, maxPixels);
  }
  if (type === 'multipart/form-data') {
    let form: Record<string, string | File | (string | File)[]>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch (e) {
      throw new HttpError(400, `malformed multipart body: ${(e as Error).message}`);
    }
    const files = Object.values(form).flat().filter((v): v is File => typeof v !== 'string');
    if (files.length === 0) throw new HttpError(400, 'the multipart upload has no file; send e.g. curl -F image=@digit.png');
    const list = await Promise.all(files.map(async (f) => ({ bytes: new Uint8Array(await f.arrayBuffer()), name: f.name || 'image' })));
    return parsePredictImages(list, maxBatch, maxPixels);
  }
  const hint = type === 'application/x-www-form-urlencoded' ? " (curl's default for --data; add -H 'Content-Type: ...')" : '';
  throw new HttpError(415, `unsupported content type ${JSON.stringify(type || 'none')}${hint}; ${UNSUPPORTED}`);
}
