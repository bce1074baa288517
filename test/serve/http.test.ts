// End to end over a real socket on loopback: photos of digits as a person
// would send them, responsiveness while the model runs, graceful shutdown.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { IMAGE_SIZE } from '../../src/data/mnist-spec.js';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { slowModel, trainedModel } from './helpers.js';

let data: Dataset;
let server: RunningServer;
beforeAll(async () => {
  data = await loadDataset();
  server = await startServer({ ...SERVE_DEFAULTS, modelPath: trainedModel(), port: 0 });
  await server.ready;
});
afterAll(async () => { await server?.close(); });

const FORMATS = ['png', 'jpeg', 'webp'] as const;

/** MNIST test digit k as a picture of paper: scaled up, dark on white, off-center, lit unevenly, encoded. */
async function photo(k: number, format: (typeof FORMATS)[number]): Promise<Buffer> {
  const digit = data.test.images.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE);
  const scale = 3 + (k % 6), w = 300, h = 240, side = 28 * scale;
  const big = await sharp(Buffer.from(digit), { raw: { width: 28, height: 28, channels: 1 } }).resize(side, side).greyscale().raw().toBuffer();
  const ox = (k * 37) % (w - side), oy = (k * 53) % (h - side);
  const gray = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= ox && y >= oy && x < ox + side && y < oy + side;
      const ink = inside ? big[(y - oy) * side + (x - ox)] / 255 : 0;
      const light = 1 - 0.4 * (x / w) * (y / h);
      gray[y * w + x] = Math.round(255 * light * (0.9 - 0.75 * ink));
    }
  }
  const img = sharp(gray, { raw: { width: w, height: h, channels: 1 } });
  return format === 'png' ? img.png().toBuffer() : format === 'jpeg' ? img.jpeg({ quality: 85 }).toBuffer() : img.webp({ quality: 85 }).toBuffer();
}

describe('over HTTP on loopback', () => {
  it('classifies photographed digits (PNG, JPEG, WebP as the raw body) for a clear majority', async () => {
    const n = 45;
    let right = 0;
    for (let k = 0; k < n; k++) {
      const format = FORMATS[k % 3];
      const res = await fetch(`${server.url}/v1/predict`, { method: 'POST', headers: { 'content-type': `image/${format}` }, body: new Uint8Array(await photo(k, format)) });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.image).toMatchObject({ format, width: 300, height: 240, inverted: true });
      if (body.label === data.test.labels[k]) right++;
    }
    expect(right / n).toBeGreaterThanOrEqual(0.8);
  });

  it('takes a multipart upload of several files and answers in their order', async () => {
    const form = new FormData();
    for (const k of [0, 1, 2]) form.append('image', new Blob([new Uint8Array(await photo(k, 'png'))], { type: 'image/png' }), `digit-${k}.png`);
    const res = await fetch(`${server.url}/v1/predict`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const { predictions } = await res.json();
    expect(predictions).toHaveLength(3);
    const direct = await Promise.all([0, 1, 2].map(async (k) => (await (await fetch(`${server.url}/v1/predict`, {
      method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(await photo(k, 'png')),
    })).json()).label));
    expect(predictions.map((p: { label: number }) => p.label)).toEqual(direct);
  });

  it('takes binary FP32 and UINT8 tensors as Node reads them off the socket', async () => {
    const n = 3;
    const pixels = data.test.images.subarray(0, n * IMAGE_SIZE);
    const labels: number[][] = [];
    for (const [datatype, bytes] of [['FP32', new Uint8Array(Float32Array.from(pixels, (v) => v / 255).buffer)], ['UINT8', pixels]] as const) {
      const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype, parameters: { binary_data_size: bytes.length } }], outputs: [{ name: 'label' }] }));
      const body = new Uint8Array(header.length + bytes.length);
      body.set(header);
      body.set(bytes, header.length);
      const res = await fetch(`${server.url}/v2/models/mnist/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(header.length) }, body });
      expect(res.status, await res.clone().text()).toBe(200);
      labels.push((await res.json()).outputs[0].data);
    }
    expect(labels[0]).toEqual(labels[1]);
    expect(labels[0]).toHaveLength(n);
  });

  it('keeps serving after a bad request on the same connection', async () => {
    const bad = await fetch(`${server.url}/v2/models/mnist/infer`, { method: 'POST', body: '{"inputs": [' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringMatching(/^invalid JSON/) });
    const good = await fetch(`${server.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pixels: Array.from(data.test.images.subarray(0, IMAGE_SIZE)) }) });
    expect(good.status).toBe(200);
  });
});

describe('with a slow model', () => {
  let slow: RunningServer;
  const batch = (n: number) => {
    const bytes = new Uint8Array(n * IMAGE_SIZE).fill(40);
    const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype: 'UINT8', parameters: { binary_data_size: bytes.length } }], outputs: [{ name: 'label' }] }));
    const body = new Uint8Array(header.length + bytes.length);
    body.set(header);
    body.set(bytes, header.length);
    return fetch(`${slow.url}/v2/models/mnist/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(header.length) }, body });
  };
  beforeAll(async () => {
    slow = await startServer({ ...SERVE_DEFAULTS, modelPath: await slowModel(), port: 0, maxBatchSize: 1024 });
    await slow.ready;
  });
  afterAll(async () => { await slow?.close(); });

  it('answers health checks and metrics while batches run (inference is off the event loop)', async () => {
    await (await fetch(`${slow.url}/metrics`)).text(); // connection and first scrape out of the way
    let done = 0;
    const work = Array.from({ length: 4 }, () => batch(1024).then((r) => { expect(r.status).toBe(200); done++; }));
    await new Promise((r) => setTimeout(r, 50));
    const waits: number[] = [];
    for (let i = 0; i < 10 && done < 4; i++) {
      const t = performance.now();
      const [live, metrics] = await Promise.all([fetch(`${slow.url}/v2/health/live`), fetch(`${slow.url}/metrics`)]);
      expect([live.status, metrics.status]).toEqual([200, 200]);
      await metrics.text();
      waits.push(performance.now() - t);
    }
    await Promise.all(work);
    const text = await (await fetch(`${slow.url}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const batchMs = (1000 * metric('inference_batch_duration_seconds_sum')) / metric('inference_batch_duration_seconds_count');
    expect(waits.length).toBeGreaterThanOrEqual(3); // the batches were still running while these answered
    expect(batchMs).toBeGreaterThan(40); // slow enough that a blocked event loop would show
    // A blocked loop would hold each answer for the rest of the running batch: on average half of it.
    waits.sort((a, b) => a - b);
    expect(waits[Math.floor(waits.length / 2)]).toBeLessThan(batchMs / 4);
  });

  it('shuts down gracefully: queued requests finish, then new connections are refused', async () => {
    // A batch is held open for 10 s or until 1024 images: the 8 requests (512 images) stay
    // queued until close() drains them, whatever the machine's speed.
    const s = await startServer({ ...SERVE_DEFAULTS, modelPath: await slowModel(), port: 0, maxBatchSize: 1024, maxQueueDelayMs: 10_000 });
    await s.ready;
    const url = s.url;
    // Bodies are built first and the 8 requests fired together.
    const bytes = new Uint8Array(64 * IMAGE_SIZE);
    const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: 'pixels', shape: [64, 1, 28, 28], datatype: 'UINT8', parameters: { binary_data_size: bytes.length } }], outputs: [{ name: 'label' }] }));
    const body = new Uint8Array(header.length + bytes.length);
    body.set(header);
    const inflight = Array.from({ length: 8 }, () =>
      fetch(`${url}/v2/models/mnist/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(header.length) }, body }));
    const deadline = Date.now() + 8_000;
    while (s.engine.queueLength() < 8) {
      if (Date.now() > deadline) throw new Error(`only ${s.engine.queueLength()} of 8 requests queued`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const t0 = performance.now();
    const closing = s.close();
    const statuses = await Promise.all(inflight.map((p) => p.then((r) => r.status)));
    await closing;
    expect(statuses).toEqual(Array(8).fill(200));
    expect(performance.now() - t0).toBeLessThan(5_000); // shutdown runs the queue now, not after the 10 s delay
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow(); // nothing listens any more
  });
});
