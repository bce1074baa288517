// One ONNX Runtime session in a worker thread. session.run in onnxruntime-node
// is a synchronous native call that blocks its thread for the whole run, so it
// lives here and the HTTP thread stays free for health checks and parsing.
import * as ort from 'onnxruntime-node';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../data/mnist-spec.js';
import { serveRequests, wholeBuffer } from '../workers/rpc.js';

export interface WorkerInit { model: Uint8Array; intraOpNumThreads: number }
/**
 * A batch laid out in shared memory, part after part: `parts[k]` > 0 is that many
 * images of float32 in [0,1], < 0 that many images of bytes 0..255 (784 bytes, so
 * every part starts 4-byte aligned). The buffer is handed back with the result.
 */
export interface RunRequest { input: SharedArrayBuffer; parts: number[]; n: number }
export type OutputData = Float32Array | BigInt64Array;
export type Outputs = Record<string, OutputData>;
export interface RunResult { outputs: Outputs; input: SharedArrayBuffer }

await serveRequests<WorkerInit, RunRequest, RunResult>(async (init) => {
  const session = await ort.InferenceSession.create(init.model, {
    intraOpNumThreads: init.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  let local = new Float32Array(0);
  return async ({ input, parts, n }) => {
    // NOTE: onnxruntime-node refuses a tensor on shared memory ("Invalid argument"), so the
    // batch is copied (bytes scaled to [0,1] on the way) into this thread's own buffer, off
    // the HTTP thread. ORT reads that in place; its outputs are fresh arrays we hand over.
    if (local.length < n * IMAGE_SIZE) local = new Float32Array(input.byteLength / 4);
    const x = local.subarray(0, n * IMAGE_SIZE);
    let at = 0;
    let offset = 0;
    for (const p of parts) {
      const count = Math.abs(p) * IMAGE_SIZE;
      if (p > 0) x.set(new Float32Array(input, offset, count), at);
      else scaleBytes(x, at, new Uint8Array(input, offset, count));
      at += count;
      offset += p > 0 ? 4 * count : count;
    }
    const out = await session.run({ [inputName]: new ort.Tensor('float32', x, [n, 1, IMAGE_ROWS, IMAGE_COLS]) });
    const outputs: Outputs = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of session.outputNames) {
      let data = out[name].data as OutputData;
      // Only a whole, plain ArrayBuffer can be transferred; anything else is copied once.
      if (!wholeBuffer(data)) data = data.slice();
      outputs[name] = data;
      transfer.push(data.buffer as ArrayBuffer);
    }
    return { result: { outputs, input }, transfer };
  };
});

function scaleBytes(dst: Float32Array, at: number, src: Uint8Array): void {
  for (let i = 0; i < src.length; i++) dst[at + i] = src[i] * (1 / 255);
}
