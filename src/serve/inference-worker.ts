// One ONNX Runtime session in a worker thread. session.run in onnxruntime-node
// is a synchronous native call that blocks its thread for the whole run, so it
// lives here and the HTTP thread stays free for health checks and parsing.
import * as ort from 'onnxruntime-node';
import { IMAGE_COLS, IMAGE_ROWS } from '../data/mnist-spec.js';
import { serveRequests, wholeBuffer } from '../workers/rpc.js';

export interface WorkerInit { model: Uint8Array; intraOpNumThreads: number }
export interface RunRequest { input: Float32Array; n: number }
export type OutputData = Float32Array | BigInt64Array;
export type Outputs = Record<string, OutputData>;

await serveRequests<WorkerInit, RunRequest, Outputs>(async (init) => {
  const session = await ort.InferenceSession.create(init.model, {
    intraOpNumThreads: init.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  return async ({ input, n }) => {
    // ORT reads `input` in place (no copy); its outputs are fresh JS arrays we can hand over.
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [n, 1, IMAGE_ROWS, IMAGE_COLS]) });
    const result: Outputs = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of session.outputNames) {
      let data = out[name].data as OutputData;
      // Only a whole, plain ArrayBuffer can be transferred; anything else is copied once.
      if (!wholeBuffer(data)) data = data.slice();
      result[name] = data;
      transfer.push(data.buffer as ArrayBuffer);
    }
    return { result, transfer };
  };
});
