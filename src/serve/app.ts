// The HTTP surface: Open Inference Protocol routes, the /v1/predict route for
// people, health and metrics. createApp never listens: tests call
// app.request(...), and server.ts puts it on a socket.
//
// NOTE: no app.use() middleware. With none, Hono calls a route's handler directly
// and @hono/node-server writes a synchronous answer at once; one middleware makes
// every request a chain of promises, and Hono's bodyLimit built a full fetch
// Request (with an AbortSignal and a web stream) even for GETs: together they cost
// a no-op route two thirds of its throughput. Each route records its own metrics
// (timed()) and reads its body with the limit that fits it (body.ts).
import { Hono, type Context, type Handler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimits, clientGone, type BodyLimits } from './body.js';
import type { Engine } from './engine.js';
import { ClientGoneError, HttpError, unavailable } from './errors.js';
import type { ImageDecoder } from './image-decoder.js';
import { Metrics } from './metrics.js';
import { registerOip } from './oip-routes.js';
import { registerPredict } from './predict-route.js';
import { Unavailable } from './work-queue.js';
import type { Outputs, Pixels } from './worker-pool.js';

export interface AppOptions {
  engine: Engine;
  /** Decodes uploaded pictures for /v1/predict; without it, uploads get 503. */
  images?: ImageDecoder;
  /** The name clients use in /v2/models/{name}. */
  modelName?: string;
  /** Largest image or multipart body, bytes. JSON and binary tensor bodies get limits sized to the largest batch. */
  maxBodyBytes?: number;
  /** Most pictures in one upload. */
  maxUploadImages?: number;
  /** Share it with the engine (onBatch = metrics.observeBatch) so inference counts show. */
  metrics?: Metrics;
}

export const APP_DEFAULTS = { modelName: 'mnist', maxBodyBytes: 8 << 20, maxUploadImages: 32 };

/** Shared by the route modules. */
export interface Served {
  engine: Engine;
  modelName: string;
  limits: BodyLimits;
  /** Inference with engine refusals turned into HTTP answers; `c`'s client going away drops the request from the queue. */
  run(c: Context, input: Pixels, n: number): Promise<Outputs>;
  /** Wraps a handler so its answers, errors included, are counted and timed under `route`. */
  timed(route: string, handler: Handler): Handler;
}

export function createApp(options: AppOptions): Hono {
  const o = { ...APP_DEFAULTS, ...options };
  const { engine } = o;
  const metrics = o.metrics ?? new Metrics();
  metrics.watchQueue(() => engine.queueLength());
  const app = new Hono();
  const limits = bodyLimits(engine.maxBatchSize, o.maxBodyBytes);

  const served: Served = {
    engine,
    modelName: o.modelName,
    limits,
    async run(c, input, n) {
      if (!engine.isReady()) throw unavailable('the model is not ready (still loading, restarting its workers, or shutting down)');
      try {
        return await engine.infer(input, n, clientGone(c));
      } catch (e) {
        if (e instanceof RangeError) throw new HttpError(400, e.message);
        throw e;
      }
    },
    timed: (route, handler) => timed(metrics, route, handler),
  };
  registerOip(app, served);
  registerPredict(app, served, { images: o.images, maxUploadImages: o.maxUploadImages });
  app.get('/metrics', served.timed('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType })));

  app.notFound((c) => {
    metrics.http.record('unmatched', c.req.method, 404);
    return c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404);
  });
  app.onError(errorResponse); // only for handlers that timed() does not wrap
  return app;
}

/** Mounts another app's routes (the web page's) with their metrics recorded like ours. */
export function mountTimed(app: Hono, sub: Hono, metrics: Metrics): void {
  for (const r of sub.routes) {
    // app.use() middleware (method ALL) is passed through as it is; routes are timed.
    app.on(r.method, r.path, r.method === 'ALL' ? r.handler : timed(metrics, r.path, r.handler));
  }
}

function timed(metrics: Metrics, route: string, handler: Handler): Handler {
  return (c, next) => {
    const t0 = performance.now();
    let res: Response | Promise<Response | void> | void;
    try {
      res = handler(c, next) as Response | Promise<Response | void>;
    } catch (e) {
      res = errorResponse(e as Error, c);
    }
    if (res instanceof Promise) {
      return res.then((r) => record(metrics, route, c, t0, r), (e: Error) => record(metrics, route, c, t0, errorResponse(e, c)));
    }
    return record(metrics, route, c, t0, res);
  };
}

function record(metrics: Metrics, route: string, c: Context, t0: number, res: Response | void): Response | void {
  if (res) metrics.http.record(route, c.req.method, res.status, (performance.now() - t0) / 1000);
  return res;
}

/** Every refusal as {"error": message}; a client that has gone gets no log line and an empty 499. */
function errorResponse(err: Error, c: Context): Response {
  if (err instanceof HttpError) return c.json({ error: err.message }, err.status, err.headers);
  if (err instanceof Unavailable) return c.json({ error: err.message }, 503, { 'retry-after': '1' });
  if (err instanceof ClientGoneError) return c.body(null, 499 as never);
  if (err instanceof HTTPException) return c.json({ error: err.message || 'bad request' }, err.status);
  console.error(err);
  return c.json({ error: `internal error: ${err.message}` }, 500);
}
