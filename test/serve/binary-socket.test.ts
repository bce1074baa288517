// Binary tensors over a real socket: Node hands the body over as Buffers, views into
// shared pools, so a tensor must be copied out, never read through `.buffer` of a slice.
// (app.request gives fresh ArrayBuffers and cannot show this.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_DEFAULTS, startServer, type RunningServer } from '../../src/serve/server.js';
import { trainedModel } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ ...SERVE_DEFAULTS, modelPath: trainedModel(), host: '127.0.0.1', port: 0 });
  await server.ready;
});
afterAll(async () => { await server?.close(); });

function binaryRequest(datatype: 'FP32' | 'UINT8', n: number, bytes: Uint8Array) {
  const header = new TextEncoder().encode(JSON.stringify({ inputs: [{ name: 'pixels', shape: [n, 1, 28, 28], datatype, parameters: { binary_data_size: bytes.length } }] }));
  const body = new Uint8Array(header.length + bytes.length);
  body.set(header);
  body.set(bytes, header.length);
  return fetch(`${server.url}/v2/models/mnist/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(header.length) }, body });
}

describe('binary tensors over a socket', () => {
  it('FP32 and UINT8 pixels of the same images get the same answers, for one image and for many', async () => {
    for (const n of [1, 3, 64]) {
      const u8 = Uint8Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256);
      const f32 = Float32Array.from(u8, (v) => v / 255);
      const [a, b] = [await binaryRequest('FP32', n, new Uint8Array(f32.buffer)), await binaryRequest('UINT8', n, u8)];
      expect(a.status, await a.clone().text()).toBe(200);
      expect(b.status).toBe(200);
      const labels = async (r: Response) => (await r.json()).outputs.find((o: { name: string }) => o.name === 'label').data;
      expect(await labels(a)).toEqual(await labels(b));
    }
  });
});
