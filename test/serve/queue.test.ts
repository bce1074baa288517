// The inference queue under pressure, with a model slow enough that requests really
// wait: bounded in images (not requests), requests whose client has gone are dropped
// unrun, waiting has a deadline, and a client that hangs up costs no log line.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/serve/app.js';
import { ENGINE_DEFAULTS, LocalEngine } from '../../src/serve/engine.js';
import { loadModel } from '../../src/serve/model.js';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { binaryBatch, slowModel } from './helpers.js';

const INFER = '/v2/models/mnist/infer';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(2)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const metric = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);

describe('the inference queue', () => {
  it('is bounded in images, not requests: one queued 2048-image request fills a 2400-image queue', async () => {
    const engine = new LocalEngine(await loadModel(await slowModel()), { ...ENGINE_DEFAULTS, maxBatchSize: 2048, maxQueuedImages: 2400 });
    await engine.started;
    const app = createApp({ engine });
    const post = (n: number) => app.request(INFER, binaryBatch(n));
    try {
      // The worker runs one batch (0.2-1 s) and holds the next; the third waits. They arrive
      // apart: arriving together, the second would find the first still queued, and the queue full.
      const accepted = [];
      for (let i = 0; i < 3; i++) {
        accepted.push(post(2048));
        await sleep(50);
      }
      await until('one request to wait', () => engine.queueLength() === 1);
      const refused = await post(512);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await refused.json()).error).toBe('inference queue is full (2048 images waiting, the limit is 2400); retry later');
      expect(await Promise.all(accepted.map(async (r) => (await r).status))).toEqual([200, 200, 200]);
    } finally {
      await engine.close();
    }
  });
});

describe('over a socket', () => {
  // Batches are held open for 10 s or until 1024 images, so requests stay queued for as
  // long as a test needs, whatever the machine's speed.
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ ...SERVE_DEFAULTS, modelPath: await slowModel(), port: 0, maxBatchSize: 1024, maxQueueDelayMs: 10_000, queueTimeoutMs: 1000 });
    await server.ready;
  });
  afterAll(async () => { await server?.close(); });
  afterEach(() => { vi.restoreAllMocks(); });
  const infer = (n: number, signal?: AbortSignal) => fetch(`${server.url}${INFER}`, { ...binaryBatch(n), signal });
  const queued = (n: number) => until(`${n} queued requests`, () => server.engine.queueLength() === n);

  it('drops a queued request whose client has gone, without running it', async () => {
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const first = infer(64);
    await queued(1);
    const abort = new AbortController();
    const gone = infer(1, abort.signal).catch((e: Error) => e.name);
    await queued(2);
    abort.abort();
    expect(await gone).toBe('AbortError');
    await sleep(50); // the server sees the connection close
    const filler = infer(959); // 1024 images queued, the aborted one included: the batch runs at once
    expect([(await first).status, (await filler).status]).toEqual([200, 200]);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(after, 'inference_images_total') - metric(before, 'inference_images_total')).toBe(64 + 959); // the aborted image never ran
    expect(metric(after, 'inference_requests_dropped_total{queue="inference",reason="cancelled"}')).toBe(1);
  });

  it('refuses a request that waited past its deadline (503) instead of holding it', async () => {
    const t0 = performance.now();
    const late = await infer(1);
    const waited = performance.now() - t0;
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect((await late.json()).error).toBe('the request waited 1000 ms in the inference queue without starting; retry later');
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(server.engine.queueLength()).toBe(0);
  });

  it('takes a client that hangs up mid-body quietly: no stack trace, no log line', async () => {
    const logged = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'info'), vi.spyOn(console, 'log')];
    const { port } = new URL(server.url);
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST ${INFER} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"inputs": [`);
      await sleep(50);
      socket.destroy();
    }
    await sleep(200);
    expect(logged.flatMap((spy) => spy.mock.calls)).toEqual([]);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  });
});
