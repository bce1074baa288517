// Faults: an inference worker that cannot be replaced, and a shutdown whose queue
// would outlast its grace period. Readiness must say what is true, requests must get
// an answer rather than hang, and close() must finish on time.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IMAGE_SIZE } from '../../src/data/mnist-spec.js';
import { createApp } from '../../src/serve/app.js';
import { ENGINE_DEFAULTS, LocalEngine } from '../../src/serve/engine.js';
import { loadModel } from '../../src/serve/model.js';
import { SERVE_DEFAULTS, startServer } from '../../src/serve/server.js';
import { binaryBatch, slowModel, trainedModel } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `p`, or 'no answer' after `ms`: a hang fails the test instead of timing it out. */
const within = <T>(ms: number, p: Promise<T>) => Promise.race([p, sleep(ms).then(() => 'no answer' as const)]);
async function until(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await ok()); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const oneImage = JSON.stringify({ inputs: [{ name: 'pixels', shape: [1, 1, 28, 28], datatype: 'UINT8', data: Array(IMAGE_SIZE).fill(0) }] });

/** The engine's worker threads, reached past `private`: the test plays a worker that dies. */
const workers = (engine: LocalEngine) =>
  (engine as unknown as { pool: { slots: { rpc: { terminate(): Promise<void> } }[] } }).pool.slots;

describe('an inference worker that dies and cannot be replaced', () => {
  let engine: LocalEngine;
  let app: ReturnType<typeof createApp>;
  let good: Uint8Array;
  beforeAll(async () => {
    engine = new LocalEngine(await loadModel(trainedModel()), ENGINE_DEFAULTS);
    await engine.started;
    app = createApp({ engine });
    good = new Uint8Array(engine.model.bytes); // a copy (Buffer.slice would share the memory)
  });
  afterAll(async () => { await engine?.close(); });
  const ready = async () => (await app.request('/v2/health/ready')).status === 200;
  const infer = async () => app.request('/v2/models/mnist/infer', { method: 'POST', body: oneImage });

  it('makes the server not ready and inference 503 at once; it recovers when a replacement starts', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect((await infer()).status).toBe(200);
    engine.model.bytes.fill(0); // what the replacement loads: no longer a model
    await workers(engine)[0].rpc.terminate();
    await until('the server to say it is not ready', async () => !(await ready()));
    const refused = await within(2000, infer());
    expect(refused).not.toBe('no answer');
    expect((refused as Response).status).toBe(503);
    expect(((await (refused as Response).json()) as { error: string }).error).toMatch(/not ready|no inference worker/);
    engine.model.bytes.set(good); // the next attempt (the delay doubles from 0.5 s) loads again
    await until('the server to be ready again', ready);
    expect((await infer()).status).toBe(200);
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/^inference worker could not load the model: .*; trying again in 0\.5 s$/);
    logged.mockRestore();
  });

  it('lets close() finish even with no worker left', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = new LocalEngine(await loadModel(trainedModel()), ENGINE_DEFAULTS);
    await e.started;
    e.model.bytes.fill(0);
    await workers(e)[0].rpc.terminate();
    await until('the engine to say it is not ready', async () => !e.isReady());
    expect(await within(2000, e.close().then(() => 'closed'))).toBe('closed');
    vi.restoreAllMocks();
  });
});

describe('shutting down with more queued than the grace period allows', () => {
  it('refuses the rest (503) when the grace period ends, counted from close(), and finishes', async () => {
    const s = await startServer({ ...SERVE_DEFAULTS, modelPath: await slowModel(), port: 0, maxBatchSize: 1024, maxQueuedImages: 16 * 1024, graceMs: 300 });
    await s.ready;
    const inflight = Array.from({ length: 12 }, () => fetch(`${s.url}/v2/models/mnist/infer`, binaryBatch(1024)).then((r) => r.status, () => 'reset'));
    await until('the requests to queue', async () => s.engine.queueLength() >= 10);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const t0 = performance.now();
    await s.close();
    const closing = performance.now() - t0;
    const statuses = await Promise.all(inflight);
    const batches = Number(/^inference_batch_duration_seconds_count (\S+)$/m.exec(metrics)?.[1]);
    expect(batches).toBeLessThan(2); // at most the first batch had finished before close()
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((x) => x === 503).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((x) => x === 200 || x === 503)).toBe(true);
    // Grace, then the batch running at that moment: a second or two, not the 12 batches' worth.
    expect(closing).toBeLessThan(4000);
  });
});
