// The bare stand-in the serving benchmark measures every route against: a minimal Hono
// app on @hono/node-server, in its own process, with what any Hono server must do and
// nothing of ours. GET /const answers a constant; POST /parse reads a single-image OIP
// JSON body into a Float32Array and answers a small JSON, without inference.
// Prints "ready URL" once listening on loopback (any free port).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

const app = new Hono();
app.get('/const', (c) => c.text('ok'));
app.post('/parse', async (c) => {
  const body = JSON.parse(await c.req.text()) as { inputs: { data: number[] }[] };
  const x = Float32Array.from(body.inputs[0].data);
  return c.json({ n: x.length });
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
  console.log(`ready http://127.0.0.1:${info.port}`);
});
// A stand-in has nothing to finish: SIGTERM ends it at once (a graceful close would wait out keep-alive clients).
process.once('SIGTERM', () => { server.close(); process.exit(0); });
