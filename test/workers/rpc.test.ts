// The worker protocol of src/workers/rpc.ts, both ends, against a tiny echo worker:
// buffers move instead of being copied, and every way a worker can fail reaches the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { RpcWorker, wholeBuffer } from '../../src/workers/rpc.js';
import type { EchoInit, EchoRequest, EchoResult } from './echo-worker.js';

const started: RpcWorker<EchoRequest, EchoResult>[] = [];
const echo = (init: EchoInit = {}, onExit?: (code: number) => void) => {
  const w = new RpcWorker<EchoRequest, EchoResult>(import.meta.url, 'echo-worker', init, { label: 'echo worker', callFailed: 'echo failed', onExit });
  started.push(w);
  return w;
};
afterEach(async () => { await Promise.all(started.splice(0).map((w) => w.terminate())); });

describe('RpcWorker and serveRequests', () => {
  it('round-trips a request, moving the buffer both ways', async () => {
    const w = echo();
    await w.ready;
    const data = Float32Array.of(1, 2, 3);
    const reply = w.call({ kind: 'double', data }, [data.buffer]);
    expect(data.buffer.byteLength).toBe(0); // moved to the worker, not copied
    expect(Array.from(await reply as Float32Array)).toEqual([2, 4, 6]);
    expect(await w.call({ kind: 'lastDetached' })).toBe(true); // and moved back
  });

  it('an error reply rejects that call only', async () => {
    const w = echo();
    const bad = w.call({ kind: 'throw', message: 'no such digit' });
    const good = w.call({ kind: 'double', data: Float32Array.of(5) });
    await expect(bad).rejects.toThrow('echo failed: no such digit');
    expect(Array.from(await good as Float32Array)).toEqual([10]);
    expect(w.error).toBeUndefined();
    expect(Array.from(await w.call({ kind: 'double', data: Float32Array.of(1) }) as Float32Array)).toEqual([2]);
  });

  it('a worker that fails to start rejects ready and every call, pending or later', async () => {
    const w = echo({ failStart: 'model file is corrupt' });
    const pending = w.call({ kind: 'lastDetached' });
    await expect(w.ready).rejects.toThrow('echo worker could not start: model file is corrupt');
    await expect(pending).rejects.toThrow('echo worker could not start: model file is corrupt');
    await expect(w.call({ kind: 'lastDetached' })).rejects.toThrow('echo worker could not start: model file is corrupt');
    expect(w.error?.message).toBe('echo worker could not start: model file is corrupt');
  });

  it('a worker that exits mid-call rejects the pending call and reports the exit', async () => {
    let exited: (code: number) => void;
    const exit = new Promise<number>((resolve) => { exited = resolve; });
    const w = echo({}, (code) => exited(code));
    await w.ready;
    await expect(w.call({ kind: 'exit', code: 3 })).rejects.toThrow('echo worker exited with code 3');
    expect(await exit).toBe(3);
    await expect(w.call({ kind: 'lastDetached' })).rejects.toThrow('echo worker exited with code 3');
  });

  it('a worker that crashes rejects the pending call with its error', async () => {
    const w = echo();
    await expect(w.call({ kind: 'crash', message: 'boom' })).rejects.toThrow('echo worker crashed: boom');
    expect(w.error?.message).toBe('echo worker crashed: boom');
  });
});

describe('wholeBuffer', () => {
  it('is the buffer only when the view spans all of a plain ArrayBuffer', () => {
    const a = new Float32Array(4);
    expect(wholeBuffer(a)).toBe(a.buffer);
    expect(wholeBuffer(a.subarray(1))).toBeUndefined();
    expect(wholeBuffer(new Float32Array(new SharedArrayBuffer(16)))).toBeUndefined();
  });
});
