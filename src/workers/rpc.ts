// One request/response protocol for worker threads, both ends of it: the worker posts
// 'ready' once set up (or 'failed' with why), then answers each request by id with
// 'result' or 'error'. The serving pool and the evaluation worker both speak it, so a
// fix to failure handling (a crash, an exit mid-call) lands in one place.
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn.js';

export interface Reply<Res> { result: Res; transfer?: ArrayBuffer[] }
export type Handler<Req, Res> = (req: Req) => Promise<Reply<Res>>;

interface Request<Req> { id: number; req: Req }
type Message<Res> =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; result: Res }
  | { type: 'error'; id: number; error: string };

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The view's buffer if the view spans all of a plain ArrayBuffer. Transferring detaches
 *  every view of a buffer, so a view into a larger (or shared) one must be copied instead. */
export function wholeBuffer(view: ArrayBufferView): ArrayBuffer | undefined {
  const b = view.buffer;
  return b instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === b.byteLength ? b : undefined;
}

/** Worker side: `setup` gets the workerData once; a throw there is reported as 'failed'. */
export async function serveRequests<Init, Req, Res>(setup: (init: Init) => Promise<Handler<Req, Res>>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs in a worker thread only');
  const post = (m: Message<Res>, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let handle: Handler<Req, Res>;
  try { handle = await setup(workerData as Init); } catch (e) { return post({ type: 'failed', error: reason(e) }); }
  port.on('message', async ({ id, req }: Request<Req>) => {
    try {
      const { result, transfer } = await handle(req);
      post({ type: 'result', id, result }, transfer);
    } catch (e) {
      post({ type: 'error', id, error: reason(e) });
    }
  });
  post({ type: 'ready' });
}

export interface RpcOptions {
  /** The worker as errors name it, e.g. 'evaluation worker'. */
  label: string;
  /** Precedes the worker's reason when setup failed; default "<label> could not start". */
  startFailed?: string;
  /** Precedes the worker's reason when one request failed; default "<label> request failed". */
  callFailed?: string;
  /** The thread is gone (crash, exit or terminate()); the serve pool replaces it. */
  onExit?: (code: number) => void;
}

/** Parent side: spawns `./<name>` beside `from` (the caller's import.meta.url) with `init` as its workerData. */
export class RpcWorker<Req, Res> {
  /** Resolves on 'ready'; rejects if the worker fails before that. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Res) => void; reject: (e: Error) => void }>();
  private next = 0;
  private failure?: Error;

  constructor(from: string, name: string, init: unknown, opts: RpcOptions) {
    const { label, startFailed = `${label} could not start`, callFailed = `${label} request failed` } = opts;
    this.worker = spawnWorker(from, name, init);
    let started!: () => void, broke!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => { started = resolve; broke = reject; });
    this.ready.catch(() => {}); // a caller that never awaits `ready` still hears through call() and `error`
    // The first failure wins: a 'failed' start is followed by the thread's exit, and that
    // exit must not replace the reason the worker gave.
    const fail = (e: Error) => {
      this.failure ??= e;
      broke(this.failure);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('message', (m: Message<Res>) => {
      if (m.type === 'ready') started();
      else if (m.type === 'failed') fail(new Error(`${startFailed}: ${m.error}`));
      else {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'result') p?.resolve(m.result);
        else p?.reject(new Error(`${callFailed}: ${m.error}`));
      }
    });
    this.worker.on('error', (e) => fail(new Error(`${label} crashed: ${e.message}`, { cause: e })));
    // Any exit fails what is pending, code 0 included: nothing would ever answer it.
    this.worker.on('exit', (code) => {
      fail(new Error(`${label} exited with code ${code}`));
      opts.onExit?.(code);
    });
  }

  /** Set once the worker has failed to start, crashed or exited; every later call rejects with it. */
  get error(): Error | undefined { return this.failure; }

  /** `transfer` moves those buffers to the worker: the caller must not touch them afterwards. */
  call(req: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, req } satisfies Request<Req>, transfer);
      } catch (e) {
        this.pending.delete(id);
        throw e;
      }
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
