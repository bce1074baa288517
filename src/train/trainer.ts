// The training loop: shuffles, feeds chunks of steps to the ONNX Loop graph,
// evaluates after every epoch. No console and no files here; the CLI listens.
import * as ort from 'onnxruntime-node';
import { IMAGE_SIZE, NORMALIZATION, NUM_CLASSES } from '../data/mnist-spec.js';
import type { Dataset, Split } from '../node/load-dataset.js';
import { ADAM_DEFAULTS, type AdamConfig } from '../optim/adam.js';
import { initParams, mlpLayout, type ParamLayout } from '../model/mlp.js';
import { mulberry32, permutation } from './random.js';
import { serializeModel } from '../graph/serialize.js';
import { oneGroup, paramGroups } from '../optim/state-layout.js';
import { buildEvaluate, buildTrainLoop } from '../programs/training.js';
import type { TrainConfig } from './config.js';
import { createSession } from '../node/execution-provider.js';
import { startEvaluator, type Evaluate } from '../node/evaluator.js';

export interface ChunkReport { epoch: number; step: number; stepsPerEpoch: number; losses: Float32Array; seconds: number }
export interface EpochReport {
  epoch: number; steps: number; seconds: number; trainLoss: number; testLoss: number; testAccuracy: number;
}
export interface TrainHooks {
  onChunk?: (c: ChunkReport) => void;
  onEpoch?: (e: EpochReport) => void;
  /** The final parameters, as soon as the last step is done (the last evaluation may still be running). */
  onTrained?: (layout: ParamLayout, params: Float32Array) => void;
}
export interface TrainResult { layout: ParamLayout; params: Float32Array; epochs: EpochReport[]; adam: AdamConfig; trainSeconds: number }

const f32 = (a: Float32Array) => new ort.Tensor('float32', a, [a.length]);
const images = (s: Split, n = s.count) => new ort.Tensor('uint8', s.images.subarray(0, n * IMAGE_SIZE), [n, IMAGE_SIZE]);
// Labels go in as int32: what the loss op and Gather take, with no BigInt on the JS side.
const labels = (s: Split, n = s.count) => new ort.Tensor('int32', Int32Array.from(s.labels.subarray(0, n)), [n]);

export async function train(cfg: TrainConfig, data: Dataset, hooks: TrainHooks = {}): Promise<TrainResult> {
  const layout = mlpLayout(data.rows * data.cols, cfg.hidden, NUM_CLASSES);
  const adam: AdamConfig = { ...ADAM_DEFAULTS, lr: cfg.lr };
  const session = { ep: cfg.ep, threads: cfg.threads, verbose: cfg.ortVerbose };
  // Measured (BENCHMARKS.md): with one thread, parameter groups save ~3% per epoch (no
  // Split/Concat of fc1.weight); with a pool, each extra elementwise op is a parallel
  // section and the small group's ten cost ~4% instead. Same numbers (Adam is elementwise).
  const groups = cfg.threads === 1 ? paramGroups(layout) : oneGroup(layout);
  const loop = await createSession(serializeModel(buildTrainLoop(layout, NORMALIZATION, adam, 'unit', groups)), session);
  // Each epoch's test evaluation runs on a spare core while the next epoch trains (where
  // there is one); its report (and onEpoch) arrives between later chunks.
  const evaluator = await startEvaluator({
    model: serializeModel(buildEvaluate(layout, NORMALIZATION)), session: { ...session, verbose: false },
    images: data.test.images.slice(), labels: Int32Array.from(data.test.labels), inputs: layout.inputSize,
  }, cfg.threads).catch(async (e: unknown) => { await loop.release(); throw e; });
  try {
    return await trainWith(loop, evaluator, cfg, data, layout, adam, hooks);
  } finally {
    await loop.release();
    await evaluator.close();
  }
}

async function trainWith(
  loop: ort.InferenceSession, evaluator: Evaluate, cfg: TrainConfig, data: Dataset, layout: ParamLayout, adam: AdamConfig, hooks: TrainHooks,
): Promise<TrainResult> {
  const rand = mulberry32(cfg.seed);
  let params: Float32Array = initParams(layout, rand);
  let m: Float32Array = new Float32Array(layout.total);
  let v: Float32Array = new Float32Array(layout.total);
  let t = 0;
  const n = cfg.trainLimit > 0 ? Math.min(cfg.trainLimit, data.train.count) : data.train.count;
  const trainImages = images(data.train, n);
  const trainLabels = labels(data.train, n);
  const B = cfg.batchSize;
  const fullSteps = Math.floor(n / B);
  const stepsPerEpoch = Math.ceil(n / B);
  const epochs: EpochReport[] = [];
  const evaluations: Promise<void>[] = [];
  let trainSeconds = 0;

  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    // Reshuffled every epoch from one seeded stream: same seed, same batches.
    const order = permutation(n, rand);
    const started = performance.now();
    let lossSum = 0;
    for (let step = 0; step < stepsPerEpoch;) {
      // Full batches go in chunks; a short last batch (PyTorch keeps it) is a call of its own.
      const [count, width] = step < fullSteps ? [Math.min(cfg.chunkSteps, fullSteps - step), B] : [1, n - fullSteps * B];
      const batches = new ort.Tensor('int32', order.subarray(step * B, step * B + count * width), [count, width]);
      const chunkStart = performance.now();
      const r = await loop.run({
        params: f32(params), adam_m: f32(m), adam_v: f32(v), step: new ort.Tensor('float64', Float64Array.of(t), []),
        images: trainImages, labels: trainLabels, batches,
      });
      step += count;
      params = r.params_out.data as Float32Array;
      m = r.adam_m_out.data as Float32Array;
      v = r.adam_v_out.data as Float32Array;
      t = (r.step_out.data as Float64Array)[0];
      const losses = r.losses.data as Float32Array;
      for (const l of losses) lossSum += l;
      hooks.onChunk?.({ epoch, step, stepsPerEpoch, losses, seconds: (performance.now() - chunkStart) / 1000 });
      if (evaluator.error) throw evaluator.error;
    }
    const seconds = (performance.now() - started) / 1000;
    trainSeconds += seconds;
    const trainLoss = lossSum / stepsPerEpoch;
    const evaluation = evaluator.evaluate(params).then((e) => {
      const report: EpochReport = { epoch, steps: stepsPerEpoch, seconds, trainLoss, testLoss: e.loss, testAccuracy: e.correct / data.test.count };
      epochs.push(report);
      hooks.onEpoch?.(report);
    });
    evaluation.catch(() => {}); // awaited below; a failure also stops the next chunk
    evaluations.push(evaluation);
    // On the main thread it would run inside the next epoch's first chunk and its clock.
    if (!evaluator.concurrent) await evaluation;
  }
  hooks.onTrained?.(layout, params);
  await Promise.all(evaluations);
  return { layout, params, epochs, adam, trainSeconds };
}
