// One ONNX Runtime session in a worker thread. session.run in onnxruntime-node
// is a synchronous native call that blocks its thread for the whole run, so it
// lives here and the HTTP thread stays free for health checks and parsing.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { IMAGE_COLS, IMAGE_ROWS } from '../data/mnist-spec.js';

export interface WorkerInit { model: Uint8Array; intraOpNumThreads: number }
export interface RunRequest { id: number; input: Float32Array; n: number }
export type OutputData = Float32Array | BigInt64Array;
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; outputs: Record<string, OutputData> }
  | { type: 'error'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread only');
const init = workerData as WorkerInit;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const session = await ort.InferenceSession.create(init.model, {
    intraOpNumThreads: init.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  port.on('message', async ({ id, input, n }: RunRequest) => {
    try {
      // ORT reads `input` in place (no copy); its outputs are fresh JS arrays we can hand over.
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [n, 1, IMAGE_ROWS, IMAGE_COLS]) });
      const outputs: Record<string, OutputData> = {};
      const transfer: ArrayBuffer[] = [];
      for (const name of session.outputNames) {
        let data = out[name].data as OutputData;
        // Only a whole, plain ArrayBuffer can be transferred; anything else is copied once.
        if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || !(data.buffer instanceof ArrayBuffer)) {
          data = data.slice();
        }
        outputs[name] = data;
        transfer.push(data.buffer as ArrayBuffer);
      }
      post({ type: 'result', id, outputs }, transfer);
    } catch (e) {
      post({ type: 'error', id, error: (e as Error).message });
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'failed', error: (e as Error).message });
}
