// Puts the app on a socket with @hono/node-server, and takes it down gracefully:
// stop accepting, finish every queued and running request, then close.
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { MODEL_FILE } from '../contract/artifact.js';
import { APP_DEFAULTS, createApp } from './app.js';
import { ENGINE_DEFAULTS, LocalEngine, type EngineOptions } from './engine.js';
import { Metrics } from './metrics.js';
import { loadModel } from './model.js';
import { webRoutes } from '../web/routes.js';

export interface ServeOptions extends EngineOptions {
  modelPath: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  modelName: string;
  maxBodyBytes: number;
  maxImagePixels: number;
  benchRoutes?: boolean;
  /** How long close() waits for in-flight requests before cutting connections. */
  graceMs?: number;
}

export const SERVE_DEFAULTS: ServeOptions = {
  ...ENGINE_DEFAULTS,
  ...APP_DEFAULTS,
  modelPath: `artifacts/${MODEL_FILE}`,
  host: '127.0.0.1',
  port: 3000,
};

export interface RunningServer {
  url: string;
  engine: LocalEngine;
  /** Settles when the model is loaded and the server is ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const model = await loadModel(o.modelPath);
  const metrics = new Metrics();
  const engine = new LocalEngine(model, o, metrics.observeBatch);
  const app = createApp({ ...o, engine, metrics });
  app.route('/', webRoutes({ model: model.bytes })); // the drawing page at /, its runtime and this model's bytes

  // Counted so close() knows when the last response is out.
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  const fetch = async (req: Request, env: unknown) => {
    inFlight++;
    try {
      const res = await app.fetch(req, env as object);
      // While shutting down, tell keep-alive clients to take their next request elsewhere.
      if (closing) res.headers.set('connection', 'close');
      return res;
    } finally {
      inFlight--;
    }
  };
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, hostname: o.host, port: o.port }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  const close = () => (closing ??= (async () => {
    const grace = o.graceMs ?? 10_000;
    // net.Server's close stops listening and leaves open sockets be; http.Server's would also
    // drop sockets whose request is still arriving, resetting a request the client already sent.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    await engine.close(); // new requests get 503; queued and running batches finish
    const deadline = Date.now() + grace;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    server.closeIdleConnections(); // keep-alive sockets would otherwise hold close() open
    const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    await closed;
    clearTimeout(timer);
  })());

  return { url: `http://${host}:${port}`, engine, ready: engine.started, close };
}

/** Loopback only unless asked: a model server has no authentication of its own. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
