// The "Train in this browser" panel: the form, the training worker, progress (chart,
// steps/s, time left), Stop, and the trained model handed to the page and offered as
// a download with the CLI artifact's contract and metadata.
import { MODEL_FILE } from '../contract/artifact.js';
import type { ChunkReport } from '../train/trainer.js';
import { trainChart } from './train-chart.js';
import { prefill, readForm } from './train-form.js';
import type { Backend, FromWorker, ToWorker } from './train-protocol.js';

export interface PanelOptions {
  /** WebGPU is usable here (an adapter is offered). */
  webgpu: boolean;
  threads: number;
  /** The browser-trained model, to classify with from now on. */
  onModel(bytes: Uint8Array, accuracy: number): Promise<void>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function setupTrainPanel(opts: PanelOptions): void {
  const form = $<HTMLFormElement>('train-form'), status = $('train-status'), accuracyEl = $('train-accuracy');
  const speed = $('train-speed'), notice = $('train-notice'), stopButton = $<HTMLButtonElement>('stop');
  const trainButton = $<HTMLButtonElement>('train'), download = $<HTMLButtonElement>('download');
  const query = new URLSearchParams(location.search);
  prefill(form, query);
  const chart = trainChart($('train-chart'));
  let worker: Worker | null = null, model: Uint8Array | null = null;
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
    const backend: Backend = run.backend === 'auto' ? (opts.webgpu ? 'webgpu' : 'wasm') : run.backend;
    chart.reset();
    accuracyEl.textContent = '–';
    speed.textContent = '';
    status.textContent = 'Loading MNIST and ONNX Runtime…';
    busy(true);
    worker?.terminate();
    worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
    const steps = { done: 0, total: 0, seconds: 0 };
    let runtime = '';
    worker.onmessage = (m: MessageEvent<FromWorker>) => {
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
        chart.accuracy(steps.done, msg.report.testAccuracy * 100);
        accuracyEl.textContent = `${(msg.report.testAccuracy * 100).toFixed(2)}%`;
      } else if (msg.type === 'done') {
        model = msg.model;
        download.disabled = false;
        accuracyEl.textContent = `${(msg.accuracy * 100).toFixed(2)}%`;
        busy(false);
        void opts.onModel(model, msg.accuracy).then(() => {
          status.textContent = `Training done in ${msg.seconds.toFixed(1)} s (${runtime}): the drawing pad now uses this model.`;
        }, (err: unknown) => { status.textContent = `Training done, but the model could not be loaded: ${(err as Error).message}`; });
      } else if (msg.type === 'stopped') {
        status.textContent = 'Stopped.';
        busy(false);
      } else {
        status.textContent = `Training failed: ${msg.error}`;
        busy(false);
      }
    };
    worker.onerror = (err) => { status.textContent = `Training failed: ${err.message}`; busy(false); };
    // Chunks of 20 steps: the chart and Stop react several times a second.
    const start: ToWorker = { type: 'start', config: { ...run.config, chunkSteps: 20 }, backend, threads: opts.threads, verbose: query.get('ortlog') === 'verbose' };
    worker.postMessage(start);
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
