// The HTTP routes through app.request (no socket), with the real model in
// worker threads, checked against a direct ONNX Runtime session.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { IMAGE_SIZE } from '../../src/data/mnist-spec.js';
import { createApp } from '../../src/serve/app.js';
import { QueueFullError } from '../../src/serve/batcher.js';
import { ENGINE_DEFAULTS, LocalEngine, type Engine } from '../../src/serve/engine.js';
import { Metrics } from '../../src/serve/metrics.js';
import { loadModel } from '../../src/serve/model.js';
import { trainedModel } from './helpers.js';

let engine: LocalEngine;
let app: ReturnType<typeof createApp>;
let session: ort.InferenceSession;
let digits: Uint8Array;
let labels: Uint8Array;

const N = 12;
const image = (k: number) => digits.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE);
const floats = (k: number, n = 1) => Array.from(digits.subarray(k * IMAGE_SIZE, (k + n) * IMAGE_SIZE), (v) => v / 255);
const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.request(path, { method: 'POST', headers, body: typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body) });
const infer = (body: unknown) => post('/v2/models/mnist/infer', body);
const pixelsInput = (n: number, data: unknown, datatype = 'FP32') => ({ name: 'pixels', shape: [n, 1, 28, 28], datatype, data });

/** What the model says, run directly: the reference for every route. */
async function direct(k: number, n: number) {
  const x = Float32Array.from(digits.subarray(k * IMAGE_SIZE, (k + n) * IMAGE_SIZE), (v) => v / 255);
  const out = await session.run({ pixels: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
  return { probabilities: Array.from(out.probabilities.data as Float32Array), label: Array.from(out.label.data as BigInt64Array, Number) };
}

beforeAll(async () => {
  const path = trainedModel();
  const data = await loadDataset();
  digits = data.test.images.slice(0, N * IMAGE_SIZE);
  labels = data.test.labels.slice(0, N);
  session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  const metrics = new Metrics();
  engine = new LocalEngine(await loadModel(path), { ...ENGINE_DEFAULTS, maxBatchSize: 64 }, { onBatch: metrics.observeBatch });
  await engine.started;
  app = createApp({ engine, metrics });
});
afterAll(async () => { await engine?.close(); await session?.release(); });

describe('Open Inference Protocol routes', () => {
  it('describes the server and the model', async () => {
    expect(await (await app.request('/v2')).json()).toEqual({ name: 'onnx-mnist', version: expect.any(String), extensions: ['binary_tensor_data', 'classification'] });
    const meta = {
      name: 'mnist', versions: ['1'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'pixels', datatype: 'FP32', shape: [-1, 1, 28, 28] }],
      outputs: [
        { name: 'logits', datatype: 'FP32', shape: [-1, 10] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 10] },
        // Triton's shape for a batch-only tensor (docs/serve.md, "Same answers as Triton").
        { name: 'label', datatype: 'INT64', shape: [-1, 1] },
      ],
    };
    expect(await (await app.request('/v2/models/mnist')).json()).toEqual(meta);
    expect(await (await app.request('/v2/models/mnist/versions/1')).json()).toEqual(meta);
    for (const p of ['/v2/health/live', '/v2/health/ready', '/v2/models/mnist/ready', '/v2/models/mnist/versions/1/ready']) {
      expect((await app.request(p)).status).toBe(200);
    }
  });

  it('infers FP32 flat data, echoes the id and returns every output by default', async () => {
    const res = await infer({ id: 'req-7', inputs: [pixelsInput(1, floats(0))] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ model_name: 'mnist', model_version: '1', id: 'req-7' });
    expect(body.outputs.map((o: { name: string; shape: number[]; datatype: string }) => [o.name, o.datatype, o.shape])).toEqual([
      ['logits', 'FP32', [1, 10]], ['probabilities', 'FP32', [1, 10]], ['label', 'INT64', [1, 1]],
    ]);
    const want = await direct(0, 1);
    expect(body.outputs[1].data).toEqual(want.probabilities);
    expect(body.outputs[2].data).toEqual(want.label);
  });

  it('infers a UINT8 batch given as nested arrays, honouring the outputs selection, on a versioned route', async () => {
    const n = 3;
    const nested = Array.from({ length: n }, (_, i) => [Array.from({ length: 28 }, (_, r) => Array.from(image(i).subarray(r * 28, r * 28 + 28)))]);
    const res = await post('/v2/models/mnist/versions/1/infer', { inputs: [pixelsInput(n, nested, 'UINT8')], outputs: [{ name: 'label' }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [n, 1], data: (await direct(0, n)).label }]);
  });

  it('answers the classification extension with the top k as "value:index:label", best first', async () => {
    const res = await infer({ inputs: [pixelsInput(2, floats(0, 2))], outputs: [{ name: 'probabilities', parameters: { classification: 3 } }] });
    const out = (await res.json()).outputs[0];
    expect(out).toMatchObject({ name: 'probabilities', datatype: 'BYTES', shape: [2, 3] });
    const want = await direct(0, 2);
    for (let r = 0; r < 2; r++) {
      const parts = out.data.slice(r * 3, r * 3 + 3).map((s: string) => s.split(':'));
      expect(Number(parts[0][1])).toBe(want.label[r]);
      expect(parts[0][2]).toBe(String(want.label[r]));
      const values = parts.map((p: string[]) => Number(p[0]));
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(values[0]).toBeCloseTo(want.probabilities[r * 10 + want.label[r]], 6);
    }
  });

  it('speaks the binary tensor extension in both directions', async () => {
    const n = 4;
    const bytes = new Uint8Array(Float32Array.from(digits.subarray(0, n * IMAGE_SIZE), (v) => v / 255).buffer);
    const header = new TextEncoder().encode(JSON.stringify({
      inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype: 'FP32', parameters: { binary_data_size: bytes.length } }],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }, { name: 'label' }],
    }));
    const body = new Uint8Array(header.length + bytes.length);
    body.set(header);
    body.set(bytes, header.length);
    const res = await post('/v2/models/mnist/infer', body, { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const raw = new Uint8Array(await res.arrayBuffer());
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const json = JSON.parse(new TextDecoder().decode(raw.subarray(0, jsonLength)));
    expect(json.outputs[0]).toEqual({ name: 'probabilities', datatype: 'FP32', shape: [n, 10], parameters: { binary_data_size: n * 40 } });
    const probs = new Float32Array(raw.slice(jsonLength).buffer);
    const want = await direct(0, n);
    expect(Array.from(probs)).toEqual(want.probabilities);
    expect(json.outputs[1].data).toEqual(want.label); // not asked for binary: stays JSON
  });

  it('keeps concurrent requests apart when it batches them', async () => {
    const before = await (await app.request('/metrics')).text();
    const res = await Promise.all(Array.from({ length: N }, (_, k) => infer({ id: String(k), inputs: [pixelsInput(1, floats(k))], outputs: [{ name: 'label' }] })));
    const bodies = await Promise.all(res.map((r) => r.json()));
    const want = (await direct(0, N)).label;
    bodies.forEach((b, k) => { expect(b.id).toBe(String(k)); expect(b.outputs[0].data).toEqual([want[k]]); });
    const images = (t: string) => Number(/^inference_images_total (\d+)/m.exec(t)?.[1]);
    expect(images(await (await app.request('/metrics')).text()) - images(before)).toBe(N);
  });
});

describe('POST /v1/predict with JSON', () => {
  it('takes 784 numbers 0..255 or a 28x28 array of 0..1 and answers label and probabilities', async () => {
    const want = await direct(0, 1);
    const flat = await (await post('/v1/predict', { pixels: Array.from(image(0)) })).json();
    expect(flat.label).toBe(want.label[0]);
    expect(flat.probabilities).toHaveLength(10);
    expect(flat.confidence).toBeCloseTo(want.probabilities[want.label[0]], 5);
    const rows = Array.from({ length: 28 }, (_, r) => floats(0).slice(r * 28, r * 28 + 28));
    expect((await (await post('/v1/predict', { pixels: rows })).json()).label).toBe(want.label[0]);
  });

  it('answers a list for {"images": [...]}', async () => {
    const res = await post('/v1/predict', { images: [0, 1, 2].map((k) => Array.from(image(k))) });
    const { predictions } = await res.json();
    expect(predictions.map((p: { label: number }) => p.label)).toEqual((await direct(0, 3)).label);
    expect(labels.length).toBe(N);
  });
});

describe('operations', () => {
  it('exposes Prometheus metrics for routes, latency, inference, batches and the queue', async () => {
    await app.request('/v2/health/live');
    await app.request('/no/such/route');
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^http_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="200"\} \d+/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.005",route="\/v1\/predict"\} \d+/m);
    expect(text).toMatch(/^http_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m); // not one series per URL
    expect(text).toMatch(/^inference_images_total \d+/m);
    expect(text).toMatch(/^inference_batch_size_bucket\{le="4"\} \d+/m);
    expect(text).toMatch(/^inference_queue_length 0$/m);
  });

  it('is live but not ready, and refuses inference with 503, while the model loads', async () => {
    const loading: Engine = { spec: engine.spec, maxBatchSize: 8, isReady: () => false, infer: () => Promise.reject(new Error('no')), queueLength: () => 0 };
    const a = createApp({ engine: loading });
    expect((await a.request('/v2/health/live')).status).toBe(200);
    for (const p of ['/v2/health/ready', '/v2/models/mnist/ready']) {
      const r = await a.request(p);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/not ready/);
    }
    const r = await a.request('/v1/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pixels: Array(784).fill(0) }) });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
  });

  it('answers 503 with Retry-After when the queue is full', async () => {
    const full: Engine = { ...engine, spec: engine.spec, maxBatchSize: 8, isReady: () => true, infer: () => Promise.reject(new QueueFullError('inference queue is full')), queueLength: () => 9 };
    const r = await createApp({ engine: full }).request('/v2/models/mnist/infer', { method: 'POST', body: JSON.stringify({ inputs: [pixelsInput(1, Array(784).fill(0))] }) });
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ error: 'inference queue is full' });
    expect(r.headers.get('retry-after')).toBe('1');
  });
});
