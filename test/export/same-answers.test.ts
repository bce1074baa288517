// `onnx-mnist serve` and the exported Triton repository answer alike: the server's
// real answers beside Triton's, worked out from the exported files by Triton's own
// rules (triton-rules.ts): metadata names, datatypes, shapes and platform; infer
// output shapes for the same request, with ONNX Runtime running the exported model
// as Triton's onnxruntime backend would.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTriton } from '../../src/export/triton.js';
import { createApp } from '../../src/serve/app.js';
import { ENGINE_DEFAULTS, LocalEngine } from '../../src/serve/engine.js';
import { loadModel } from '../../src/serve/model.js';
import { trainedModel } from '../serve/helpers.js';
import { parseConfig, type TritonConfig } from './triton-config.js';
import { tritonMetadata, tritonOutputShape } from './triton-rules.js';

const NAME = 'digits';
let dir: string;
let engine: LocalEngine;
let app: ReturnType<typeof createApp>;
let triton: { config: TritonConfig; session: ort.InferenceSession };

beforeAll(async () => {
  const model = await loadModel(trainedModel());
  dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-same-'));
  await exportTriton(model, dir, { name: NAME, maxBatchSize: 64, maxQueueDelayUs: 100, instances: 1 });
  // Triton's side comes from the exported files only: the config as Triton parses it, the model it would load.
  const config = parseConfig(await readFile(path.join(dir, NAME, 'config.pbtxt'), 'utf8'));
  triton = { config, session: await ort.InferenceSession.create(path.join(dir, NAME, '1', 'model.onnx'), { intraOpNumThreads: 1 }) };
  engine = new LocalEngine(model, { ...ENGINE_DEFAULTS, maxBatchSize: 64 });
  await engine.started;
  app = createApp({ engine, modelName: NAME });
});
afterAll(async () => {
  await engine?.close();
  await triton?.session.release();
  await rm(dir, { recursive: true, force: true });
});

describe('onnx-mnist serve answers as the exported Triton repository would', () => {
  it('GET /v2/models/{name}: the same names, datatypes, shapes and platform', async () => {
    const want = tritonMetadata(triton.config, ['1']);
    expect(await (await app.request(`/v2/models/${NAME}`)).json()).toEqual(want);
    expect(await (await app.request(`/v2/models/${NAME}/versions/1`)).json()).toEqual(want);
    // Spelled out, so a change on both sides at once still shows here.
    expect(want.platform).toBe('onnxruntime_onnx');
    expect(want.outputs.find((o) => o.name === 'label')).toEqual({ name: 'label', datatype: 'INT64', shape: [-1, 1] });
  });

  for (const [what, outputs] of [['every output', undefined], ['a selection', [{ name: 'label' }, { name: 'logits' }]]] as const) {
    it(`POST .../infer: the same output names, datatypes and shapes (${what})`, async () => {
      const n = 3;
      const pixels = Float32Array.from({ length: n * 784 }, (_, i) => (i % 7) / 7);
      const res = await app.request(`/v2/models/${NAME}/infer`, {
        method: 'POST',
        body: JSON.stringify({ inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype: 'FP32', data: Array.from(pixels) }], ...(outputs && { outputs }) }),
      });
      expect(res.status).toBe(200);
      const served = (await res.json()).outputs.map((o: { name: string; datatype: string; shape: number[]; data: unknown[] }) => [o.name, o.datatype, o.shape, o.data.length]);

      const run = await triton.session.run({ pixels: new ort.Tensor('float32', pixels, [n, 1, 28, 28]) });
      const names = outputs ? outputs.map((o) => o.name) : triton.config.output.map((o) => o.name);
      const fromTriton = names.map((name) => {
        const t = triton.config.output.find((o) => o.name === name)!;
        return [name, t.data_type.replace(/^TYPE_/, ''), tritonOutputShape(triton.config, name, run[name].dims), run[name].size];
      });
      expect(served).toEqual(fromTriton);
      expect(served.find((o: unknown[]) => o[0] === 'label')).toEqual(['label', 'INT64', [n, 1], n]);
    });
  }
});
