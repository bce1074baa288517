// The "Train in this browser" panel: the form, the training worker, progress (chart,
// steps/s, time left), Stop, and the trained model handed to the page and offered as
// a download with the CLI artifact's contract and metadata.
import { MODEL_FILE } from '../contract/artifact.js';
import type { ChunkReport } from '../train/trainer.js';
import { trainChart } from './train-chart.js';
import { prefill, readForm } from './train-form.js';
import { setupKey, type Backend, type FromWorker, type RuntimeSetup, type ToWorker } from './train-protocol.js';

export interface PanelOptions {
  /** WebGPU is usable here (an adapter is offered). */
  webgpu: boolean;
  threads: number;
  /** The browser-trained model, to classify with from now on. */
  onModel(bytes: Uint8Array, accuracy: number): Promise<void>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** Query parameters that make a link a training run: the page warms up at once. */
const RUN_PARAMS = ['epochs', 'limit', 'batch', 'lr', 'hidden', 'optimizer'];
const newWorker = () => new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });

export function setupTrainPanel(opts: PanelOptions): void {
  const form = $<HTMLFormElement>('train-form'), status = $('train-status'), accuracyEl = $('train-accuracy');
  const speed = $('train-speed'), notice = $('train-notice'), stopButton = $<HTMLButtonElement>('stop'), epochLog = $<HTMLOListElement>('train-epochs');
  const trainButton = $<HTMLButtonElement>('train'), download = $<HTMLButtonElement>('download');
  const query = new URLSearchParams(location.search);
  prefill(form, query);
  const chart = trainChart($('train-chart'));
  let worker: Worker | null = null, model: Uint8Array | null = null;
  // A worker whose runtime is started (warmed up, or idle after a run), for the next run with its setup.
  let spare: { worker: Worker; key: string } | null = null;
  const verbose = query.get('ortlog') === 'verbose';
  const setupFor = (backend: Backend | 'auto'): RuntimeSetup => ({ backend: backend === 'auto' ? (opts.webgpu ? 'webgpu' : 'wasm') : backend, threads: opts.threads, verbose });
  const workerFor = (setup: RuntimeSetup): Worker => {
    const reuse = spare?.key === setupKey(setup) ? spare.worker : null;
    if (!reuse) spare?.worker.terminate();
    spare = null;
    return reuse ?? newWorker();
  };
  const warmUp = () => {
    if (worker || spare) return;
    let run;
    try {
      run = readForm(form, 0);
    } catch {
      return; // the form is not valid yet: Train will say why
    }
    const setup = setupFor(run.backend);
    spare = { worker: newWorker(), key: setupKey(setup) };
    spare.worker.postMessage({ type: 'warm', ...setup, config: run.config } satisfies ToWorker);
  };
  // NOTE: warming up costs several CPU-seconds (ORT's WASM compile, 20 steps) and MNIST's
  // download, so only on a sign of intent: a training link, or the pointer or focus on the form.
  if (RUN_PARAMS.some((k) => query.has(k))) warmUp();
  for (const ev of ['pointerenter', 'focusin']) form.addEventListener(ev, warmUp);
  if (!crossOriginIsolated) {
    notice.hidden = false;
    notice.textContent = 'This page is not cross-origin isolated, so WASM runs on one thread (slower). Served by `onnx-mnist serve`, it is isolated.';
  }

  const busy = (on: boolean) => { trainButton.disabled = on; stopButton.disabled = !on; };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let run;
    try {
      run = readForm(form, Number(query.get('seed') ?? 0) || 0);
    } catch (err) {
      status.textContent = `Cannot train: ${(err as Error).message}.`;
      return;
    }
    const setup = setupFor(run.backend);
    chart.reset();
    epochLog.replaceChildren();
    accuracyEl.textContent = '–';
    speed.textContent = '';
    status.textContent = 'Loading MNIST and ONNX Runtime…';
    busy(true);
    worker?.terminate();
    const current = (worker = workerFor(setup));
    const idle = () => {
      // The finished worker keeps its started runtime and data for the next run.
      if (worker === current) worker = null;
      spare?.worker.terminate();
      spare = { worker: current, key: setupKey(setup) };
    };
    const steps = { done: 0, total: 0, seconds: 0 };
    let runtime = '';
    current.onmessage = (m: MessageEvent<FromWorker>) => {
      const msg = m.data;
      if (msg.type === 'ready') {
        runtime = msg.backend === 'webgpu' ? 'WebGPU' : `WASM, ${msg.threads} thread${msg.threads === 1 ? '' : 's'}`;
        steps.total = Math.ceil(msg.trainImages / run.config.batchSize) * run.config.epochs;
        status.textContent = `Training on ${msg.trainImages.toLocaleString('en')} images (${runtime})…`;
      } else if (msg.type === 'chunk') {
        const c: ChunkReport = msg.report;
        steps.done += c.losses.length;
        steps.seconds += c.seconds;
        const rate = steps.done / steps.seconds;
        chart.loss(steps.done, c.losses.reduce((a, b) => a + b, 0) / c.losses.length);
        speed.textContent = `epoch ${c.epoch}/${run.config.epochs}, ${rate.toFixed(0)} steps/s, about ${Math.ceil((steps.total - steps.done) / rate)} s left`;
      } else if (msg.type === 'epoch') {
        const r = msg.report;
        chart.accuracy(steps.done, r.testAccuracy * 100);
        accuracyEl.textContent = `${(r.testAccuracy * 100).toFixed(2)}%`;
        const line = document.createElement('li');
        line.dataset.seconds = String(r.seconds);
        line.textContent = `epoch ${r.epoch}: ${r.seconds.toFixed(2)} s, train loss ${r.trainLoss.toFixed(4)}, test loss ${r.testLoss.toFixed(4)}, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`;
        epochLog.append(line);
      } else if (msg.type === 'done') {
        model = msg.model;
        idle();
        download.disabled = false;
        accuracyEl.textContent = `${(msg.accuracy * 100).toFixed(2)}%`;
        busy(false);
        void opts.onModel(model, msg.accuracy).then(() => {
          status.textContent = `Training done in ${msg.seconds.toFixed(1)} s (${runtime}): the drawing pad now uses this model.`;
        }, (err: unknown) => { status.textContent = `Training done, but the model could not be loaded: ${(err as Error).message}`; });
      } else if (msg.type === 'stopped') {
        idle();
        status.textContent = 'Stopped.';
        busy(false);
      } else {
        status.textContent = `Training failed: ${msg.error}`;
        busy(false);
      }
    };
    current.onerror = (err) => { status.textContent = `Training failed: ${err.message}`; busy(false); };
    // Chunks of 20 steps: the chart and Stop react several times a second.
    current.postMessage({ type: 'start', config: { ...run.config, chunkSteps: 20 }, ...setup } satisfies ToWorker);
  });

  stopButton.addEventListener('click', () => worker?.postMessage({ type: 'stop' } satisfies ToWorker));

  download.addEventListener('click', () => {
    if (!model) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([model as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    a.download = MODEL_FILE;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  });
}
