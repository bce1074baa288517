// Slow and many clients, on raw sockets: what one client may hold is bounded
// (connections, time to send headers or a body, a socket nobody reads), and a
// server error event is logged instead of crashing the process.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { trainedModel } from './helpers.js';

let server: RunningServer;
let port: number;
beforeAll(async () => {
  server = await startServer({
    ...SERVE_DEFAULTS, modelPath: trainedModel(), port: 0,
    maxConnections: 8, headersTimeoutMs: 500, requestTimeoutMs: 1000, idleTimeoutMs: 1000,
  });
  await server.ready;
  port = Number(new URL(server.url).port);
});
afterAll(async () => { await server?.close(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open = async () => {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  return s;
};
/** What the server sends until it closes the socket, and when it closed it; `limitMs` bounds the wait. */
function untilClosed(s: Socket, limitMs: number): Promise<{ data: string; ms: number | undefined }> {
  const t0 = performance.now();
  let data = '';
  s.on('data', (b: Buffer) => { data += b.toString('latin1'); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ data, ms: undefined }), limitMs);
    s.once('close', () => { clearTimeout(timer); resolve({ data, ms: performance.now() - t0 }); });
    s.once('error', () => {});
  });
}
const connections = () => new Promise<number>((resolve, reject) => server.http.getConnections((e, n) => (e ? reject(e) : resolve(n))));
const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe('clients that hold on', () => {
  it('are limited in connections: one over --max-connections is closed unanswered, and a freed slot is reused', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await open();
      s.write(GET('/v2/health/live')); // answered, then kept alive
      held.push(s);
    }
    await sleep(50);
    const extra = await open();
    extra.write(GET('/v2/health/live'));
    const refused = await untilClosed(extra, 2000);
    expect(refused.ms).toBeDefined();
    expect(refused.data).toBe('');
    held.pop()!.destroy();
    await sleep(50);
    const again = await open();
    again.write('GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await untilClosed(again, 2000)).data).toMatch(/^HTTP\/1\.1 200 OK/);
    for (const s of held) s.destroy();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^http_connections_refused_total 1$/m);
    expect(metrics).toMatch(/^http_connections_open [1-9]\d*$/m);
  });

  it('get 408 and a closed socket when their headers come too slowly', async () => {
    const s = await open();
    s.write('GET /v2/health/live HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    const { data, ms } = await untilClosed(s, 4000);
    expect(data).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(ms).toBeLessThan(2500);
  });

  it('are cut off when their body comes too slowly', async () => {
    const s = await open();
    s.write('POST /v2/models/mnist/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"inputs"');
    const { data, ms } = await untilClosed(s, 5000);
    // Node answers 408 only while no handler has started an answer; here one is reading the body.
    expect(data).toMatch(/^(HTTP\/1\.1 408 Request Timeout.*)?$/s);
    expect(ms).toBeGreaterThan(800);
    expect(ms).toBeLessThan(3500);
  });

  it('that never read a large answer are cut off when idle, holding a stream, not a copy of the file each', async () => {
    const base = await connections().catch(() => NaN);
    const before = process.memoryUsage();
    const readers: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const s = await open();
      s.pause(); // reads nothing: the 14 MB answer backs up
      s.write(GET('/ort/ort-wasm-simd-threaded.wasm'));
      readers.push(s);
    }
    await sleep(300);
    const during = process.memoryUsage();
    // Read whole per request, 20 x 14 MB would sit in memory until each client read it.
    expect((during.arrayBuffers + during.external) - (before.arrayBuffers + before.external)).toBeLessThan(100 * 2 ** 20);
    const t0 = performance.now();
    while ((await connections()) > base && performance.now() - t0 < 5000) await sleep(50);
    expect(await connections()).toBeLessThanOrEqual(base);
    expect(performance.now() - t0).toBeLessThan(3000);
    for (const s of readers) s.destroy();
  });

  it('cannot crash the process with a server error event: every one is logged, and serving goes on', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (let i = 0; i < 2; i++) server.http.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
      expect(logged.mock.calls.map((c) => String(c[0]))).toEqual(['server error: accept EMFILE', 'server error: accept EMFILE']);
    } finally {
      logged.mockRestore();
    }
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
  });
});
