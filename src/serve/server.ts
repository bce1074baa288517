// Puts the app on a socket with @hono/node-server, with bounds on what clients can
// hold (connections, slow headers and bodies, idle sockets), and takes it down
// gracefully: stop accepting, finish queued and running requests within a grace
// period, then close. stop() is the hurried form (the second Ctrl-C).
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { MODEL_FILE } from '../contract/artifact.js';
import { webRoutes } from '../web/routes.js';
import { APP_DEFAULTS, createApp, mountTimed } from './app.js';
import { ENGINE_DEFAULTS, LocalEngine, type EngineOptions } from './engine.js';
import { IMAGE_DEFAULTS, ImageDecoder, type ImageOptions } from './image-decoder.js';
import { Metrics } from './metrics.js';
import { loadModel } from './model.js';

export interface ConnectionLimits {
  /** Open connections at most; more are closed as they arrive. */
  maxConnections: number;
  /** Time (ms) a client has to send its request headers. */
  headersTimeoutMs: number;
  /** Time (ms) a client has to send its whole request, body included (408 after). */
  requestTimeoutMs: number;
  /** Time (ms) a socket may see no traffic at all (a client that neither sends nor reads) before it is closed. */
  idleTimeoutMs: number;
}

export interface ServeOptions extends EngineOptions, ImageOptions, ConnectionLimits {
  modelPath: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  modelName: string;
  maxBodyBytes: number;
  maxUploadImages: number;
  /** How long close() lets queued and in-flight requests finish before it refuses the rest and cuts connections. */
  graceMs?: number;
}

export const SERVE_DEFAULTS: ServeOptions = {
  ...ENGINE_DEFAULTS,
  ...IMAGE_DEFAULTS,
  ...APP_DEFAULTS,
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  modelPath: `artifacts/${MODEL_FILE}`,
  host: '127.0.0.1',
  port: 3000,
};

export interface RunningServer {
  url: string;
  engine: LocalEngine;
  /** The Node server, for its events (tests). */
  http: Server;
  /** Settles when the model is loaded and the image workers are up: the server is ready. */
  ready: Promise<void>;
  /** Stops listening, lets queued and in-flight requests finish (up to graceMs), then closes. */
  close(): Promise<void>;
  /** Stops listening, refuses what is queued (503), waits only for the running batches (milliseconds), then closes. */
  stop(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const model = await loadModel(o.modelPath);
  const metrics = new Metrics();
  const engine = new LocalEngine(model, o, { onBatch: metrics.observeBatch, onDrop: (reason) => metrics.dropped.inc({ queue: 'inference', reason }) });
  const images = new ImageDecoder(o, (reason) => metrics.dropped.inc({ queue: 'image', reason }));
  const app = createApp({ ...o, engine, images, metrics });
  mountTimed(app, webRoutes({ model: model.bytes }), metrics); // the drawing page at /, its runtime and this model's bytes

  // Counted so close() knows when the last response is out.
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const done = (res: Response) => {
    inFlight--;
    // While shutting down, tell keep-alive clients to take their next request elsewhere.
    if (closing || stopping) res.headers.set('connection', 'close');
    return res;
  };
  // Not async: a handler that answers at once is written at once (see app.ts).
  const fetch = (req: Request, env: object) => {
    inFlight++;
    let res: Response | Promise<Response>;
    try {
      res = app.fetch(req, env);
    } catch (e) {
      inFlight--;
      throw e;
    }
    return res instanceof Promise ? res.then(done, (e) => { inFlight--; throw e; }) : done(res);
  };
  const server = await listen(o, fetch);
  // A permanent listener: an 'error' event with none (EMFILE on accept, say) would crash the process.
  server.on('error', (e) => console.error(`server error: ${e.message}`));
  server.on('drop', () => metrics.connectionsRefused.inc());
  metrics.watchConnections(() => new Promise((resolve) => server.getConnections((e, n) => resolve(e ? 0 : n))));
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  // net.Server's close stops listening and leaves open sockets be; http.Server's would also
  // drop sockets whose request is still arriving, resetting a request the client already sent.
  let closed: Promise<void> | undefined;
  const stopListening = () => (closed ??= new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())));

  let stopped!: () => void;
  const whenStopped = new Promise<void>((resolve) => { stopped = resolve; });
  const stop = () => (stopping ??= (async () => {
    void stopListening();
    await Promise.all([engine.close({ hurry: true }), images.close()]);
    // Answers on their way out (the 503s, the last batch's) get a moment: a connection
    // closes by itself once its answer, marked Connection: close, is written.
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 250))]);
    server.closeAllConnections();
    await closed;
    stopped();
  })());

  const graceful = async () => {
    await engine.close(); // new requests get 503; queued and running batches finish
    while (inFlight > 0 && !stopping) await new Promise((r) => setTimeout(r, 5));
    server.closeIdleConnections(); // keep-alive sockets would otherwise hold close() open
    await closed;
    await images.close();
  };
  const close = () => (closing ??= (async () => {
    // The grace period starts now, whatever is queued: at its end the rest is refused.
    const hurry = setTimeout(() => void stop(), o.graceMs ?? 10_000);
    void stopListening();
    await Promise.race([graceful(), whenStopped]);
    clearTimeout(hurry);
  })());

  const ready = Promise.all([engine.started, images.started]).then(() => {});
  ready.catch(() => {}); // the caller awaits `ready`; this only silences the unhandled copy
  return { url: `http://${host}:${port}`, engine, http: server, ready, close, stop };
}

function listen(o: ServeOptions, fetch: (req: Request, env: object) => Response | Promise<Response>): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = serve({
      fetch, hostname: o.host, port: o.port,
      serverOptions: {
        headersTimeout: Math.min(o.headersTimeoutMs, o.requestTimeoutMs), // Node refuses a headers timeout above the request's
        requestTimeout: o.requestTimeoutMs,
        // How often Node checks those two; its default (30 s) would let a slow client keep a socket that long past them.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, o.headersTimeoutMs / 2, o.requestTimeoutMs / 2)),
      },
    }, () => {
      s.off('error', reject);
      resolve(s as Server);
    }) as Server;
    s.maxConnections = o.maxConnections;
    s.timeout = o.idleTimeoutMs;
    s.once('error', reject);
  });
}

/** Loopback only unless asked: a model server has no authentication of its own. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
