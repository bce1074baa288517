// Training in a Web Worker, so drawing and classifying stay responsive: the same
// training core as `onnx-mnist train`, on onnxruntime-web (WASM, or WebGPU with the
// unrolled program), and the same artifact, offered back to the page as bytes.
import { inferenceGraph, inferenceModel, modelMetadata } from '../train/artifacts.js';
import { hyperparameters } from '../train/settings.js';
import { inlineEvaluator, openEvaluation } from '../train/evaluation.js';
import { modelAndOptimizer, type TrainConfig } from '../train/config.js';
import { mulberry32 } from '../train/random.js';
import { createStepper } from '../train/steppers.js';
import type { Runtime } from '../train/runtime.js';
import { train } from '../train/trainer.js';
import { loadMnist, type WebDataset } from './mnist-data.js';
import { setupKey, type FromWorker, type RuntimeSetup, type StartTraining, type ToWorker } from './train-protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let stop: AbortController | null = null;

self.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'stop') stop?.abort(new Error('stopped'));
  else if (e.data.type === 'warm') void prepare(e.data, e.data.config);
  else if (!stop) void run(e.data);
};

let prepared: { key: string; ready: Promise<[Runtime, WebDataset]> } | undefined;

/**
 * The runtime and the data, started once per worker. A warm-up also builds its config's
 * training programs and steps them once (dryRun). NOTE: V8 optimizes the WASM functions
 * a run makes hot on background threads, ~9 CPU-seconds for ORT's 14 MB build, mostly
 * triggered by creating the first training session; done at warm-up, that work overlaps
 * the user's reading of the form instead of the first epochs (on 2 cores: ~2x slower).
 */
function prepare(setup: RuntimeSetup, config?: TrainConfig): Promise<[Runtime, WebDataset]> {
  const key = setupKey(setup);
  if (prepared && prepared.key !== key) return Promise.reject(new Error(`this worker runs ${prepared.key}, not ${key}`));
  if (!prepared) {
    const ready = Promise.all([runtimeFor(setup), loadMnist()]).then(async ([rt, data]): Promise<[Runtime, WebDataset]> => {
      if (config) await dryRun(rt, data, config);
      return [rt, data];
    });
    prepared = { key, ready };
    ready.catch(() => {}); // reported by the run that needs it
  }
  return prepared.ready;
}

/** The run's training programs, built and stepped once on the first images, then dropped. */
async function dryRun(rt: Runtime, data: WebDataset, config: TrainConfig): Promise<void> {
  const { model, optimizer } = modelAndOptimizer(config, data.rows * data.cols);
  const n = Math.min(data.train.count, 20 * config.batchSize), count = Math.floor(n / config.batchSize);
  const stepper = await createStepper(rt, model, optimizer, data.train, n, config.batchSize);
  try {
    const slots = Object.fromEntries(optimizer.slots.map((s) => [s.name, new Float32Array(model.layout.total)]));
    await stepper.run({ params: model.init(mulberry32(0)), slots, step: 0 }, Int32Array.from({ length: count * config.batchSize }, (_, i) => i), count, config.batchSize);
  } finally {
    await stepper.release();
  }
}

async function runtimeFor(msg: RuntimeSetup): Promise<Runtime> {
  const ort = msg.backend === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.wasm.numThreads = crossOriginIsolated ? msg.threads : 1;
  ort.env.logLevel = msg.verbose ? 'verbose' : 'error';
  // NOTE: 'basic', not 'all': the builder already writes lean graphs, and ORT's extended
  // optimizers only made session creation 2x slower and V8 compile more of the WASM:
  // the first 940 steps after it took 2.56 s against 2.19 s, later ones the same
  // (throw-away worker page, 3 interleaved rounds, 2026-12-01).
  const options = (ep: string) => ({ executionProviders: [ep], logSeverityLevel: (msg.verbose ? 0 : 3) as 0 | 3, graphOptimizationLevel: 'basic' as const });
  const tensor: Runtime['tensor'] = (type, data, dims) => new ort.Tensor(type, data, dims);
  return {
    target: { ep: msg.backend, threads: ort.env.wasm.numThreads },
    tensor,
    session: (model) => ort.InferenceSession.create(model, options(msg.backend)),
    // Evaluation once an epoch, on WASM beside a WebGPU run too: it needs integer ops WebGPU lacks.
    evaluator: async (model, test) =>
      inlineEvaluator(await openEvaluation({ tensor, session: (m) => ort.InferenceSession.create(m, options('wasm')) }, model, test)),
  };
}

async function run(msg: StartTraining): Promise<void> {
  stop = new AbortController();
  try {
    const [rt, data] = await prepare(msg);
    const cfg = msg.config;
    const trainImages = cfg.trainLimit > 0 ? Math.min(cfg.trainLimit, data.train.count) : data.train.count;
    post({ type: 'ready', backend: msg.backend, threads: rt.target.threads, trainImages });
    const result = await train(cfg, data, rt, {
      onChunk: (report) => post({ type: 'chunk', report }),
      onEpoch: (report) => post({ type: 'epoch', report }),
      signal: stop.signal,
    });
    // The evaluation of the final parameters is the artifact's accuracy: same graph math as the inference model.
    const accuracy = result.epochs.at(-1)!.testAccuracy;
    const model = inferenceModel(inferenceGraph(result.model, result.params), modelMetadata(hyperparameters(cfg, result.model, result.optimizer, trainImages), result.epochs, data.checksums, accuracy));
    const bytes = model.slice(); // its own buffer, to transfer
    post({ type: 'done', model: bytes, accuracy, seconds: result.trainSeconds }, [bytes.buffer]);
  } catch (e) {
    if (stop.signal.aborted) post({ type: 'stopped' });
    else post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
  } finally {
    stop = null;
  }
}
