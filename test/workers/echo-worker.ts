// A tiny worker for test/workers/rpc.test.ts: it answers each request by kind.
import { serveRequests } from '../../src/workers/rpc.js';

export interface EchoInit { failStart?: string }
export type EchoRequest =
  | { kind: 'double'; data: Float32Array }
  | { kind: 'throw'; message: string }
  | { kind: 'lastDetached' }
  | { kind: 'exit'; code: number }
  | { kind: 'crash'; message: string };
export type EchoResult = Float32Array | boolean;

let last: Float32Array | undefined;

await serveRequests<EchoInit, EchoRequest, EchoResult>(async (init) => {
  if (init.failStart) throw new Error(init.failStart);
  return async (req) => {
    switch (req.kind) {
      case 'double':
        for (let i = 0; i < req.data.length; i++) req.data[i] *= 2;
        last = req.data;
        return { result: req.data, transfer: [req.data.buffer as ArrayBuffer] };
      case 'throw':
        throw new Error(req.message);
      case 'lastDetached':
        return { result: last !== undefined && last.buffer.byteLength === 0 };
      case 'exit':
        process.exit(req.code);
      case 'crash':
        // Thrown outside the handler, so nothing catches it: the worker's 'error' event.
        setImmediate(() => { throw new Error(req.message); });
        return new Promise(() => {});
    }
  };
});
