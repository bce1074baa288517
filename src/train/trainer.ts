// The training loop, for any runtime: shuffles, feeds chunks of steps to the training
// program, schedules each epoch's evaluation and reports progress as events. No files,
// no console, no ONNX Runtime import: the runtime comes in as an argument.
import type { ImageSet } from '../data/dataset.js';
import { NORMALIZATION } from '../data/mnist-spec.js';
import { serializeModel } from '../graph/serialize.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { buildEvaluate } from '../programs/evaluate.js';
import { modelAndOptimizer, type TrainConfig } from './config.js';
import { mulberry32, permutation } from './random.js';
import type { Evaluate, Runtime } from './runtime.js';
import { createStepper, type StepState, type Stepper } from './steppers.js';

export interface ChunkReport { epoch: number; step: number; stepsPerEpoch: number; losses: Float32Array; seconds: number }
export interface EpochReport {
  epoch: number; steps: number; seconds: number; trainLoss: number; testLoss: number; testAccuracy: number;
}
export interface TrainHooks {
  onChunk?: (c: ChunkReport) => void;
  onEpoch?: (e: EpochReport) => void;
  /** The final parameters, as soon as the last step is done (the last evaluation may still be running). */
  onTrained?: (model: Model, params: Float32Array) => void;
  /** Checked between chunks: once aborted, training stops there with its reason. */
  signal?: AbortSignal;
  /**
   * As soon as an epoch's steps are done: the state to save as a checkpoint, and the epoch's
   * training numbers (its evaluation comes later, through onEpoch). Training goes on meanwhile;
   * a rejection stops it at the next chunk, and train() settles only after every one.
   */
  onEpochEnd?: (state: TrainState, trained: TrainedEpoch) => void | Promise<void>;
}
/** An epoch's numbers known before its evaluation. */
export type TrainedEpoch = Pick<EpochReport, 'epoch' | 'steps' | 'seconds' | 'trainLoss'>;
/** Where training stands after an epoch; `train` resumes from it. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken in all. */
  step: number;
  params: Float32Array;
  /** The optimizer's slots by name, in its own storage (Slot.scale converts to PyTorch's). */
  slots: Record<string, Float32Array>;
  /** The shuffling stream's position (Rand.state): the next epoch's order follows from it. */
  rng: number;
}
/** A saved state, or only parameters (fine-tuning: a fresh optimizer and the seed's shuffles). */
export type TrainStart = TrainState | { params: Float32Array };
export interface TrainResult {
  model: Model;
  optimizer: Optimizer;
  params: Float32Array;
  /** The optimizer's slots by name, in its own storage (Slot.scale converts to PyTorch's). */
  slots: Record<string, Float32Array>;
  steps: number;
  epochs: EpochReport[];
  trainSeconds: number;
}

export async function train(cfg: TrainConfig, data: ImageSet, rt: Runtime, hooks: TrainHooks = {}, start?: TrainStart): Promise<TrainResult> {
  const { model, optimizer } = modelAndOptimizer(cfg, data.rows * data.cols);
  const n = cfg.trainLimit > 0 ? Math.min(cfg.trainLimit, data.train.count) : data.train.count;
  const program = await createStepper(rt, model, optimizer, data.train, n, cfg.batchSize);
  // Each epoch's test evaluation may run beside the next epoch (where the runtime has a
  // spare core); its report (and onEpoch) then arrives between later chunks.
  const test = { images: data.test.images.slice(), labels: Int32Array.from(data.test.labels), inputs: model.inputSize };
  const evaluator = await rt.evaluator(serializeModel(buildEvaluate(model, NORMALIZATION)), test)
    .catch(async (e: unknown) => { await program.release(); throw e; });
  try {
    return await trainWith({ model, optimizer, program, evaluator, n }, cfg, data, hooks, start);
  } finally {
    await program.release();
    await evaluator.close();
  }
}

interface Parts { model: Model; optimizer: Optimizer; program: Stepper; evaluator: Evaluate; n: number }

async function trainWith({ model, optimizer, program, evaluator, n }: Parts, cfg: TrainConfig, data: ImageSet, hooks: TrainHooks, start?: TrainStart): Promise<TrainResult> {
  const resumed = start && 'rng' in start ? start : undefined;
  const rand = mulberry32(resumed ? resumed.rng : cfg.seed);
  const P = model.layout.total;
  let state: StepState = {
    params: start ? start.params : model.init(rand),
    slots: Object.fromEntries(optimizer.slots.map((s) => [s.name, resumed ? resumed.slots[s.name] : new Float32Array(P)])),
    step: resumed ? resumed.step : 0,
  };
  for (const [name, a] of Object.entries({ params: state.params, ...state.slots })) if (a?.length !== P) throw new Error(`start state: ${name} has ${a?.length ?? 'no'} values, the model ${P}`);
  let failed: unknown;
  const B = cfg.batchSize;
  const fullSteps = Math.floor(n / B);
  const stepsPerEpoch = Math.ceil(n / B);
  const epochs: EpochReport[] = [];
  const evaluations: Promise<void>[] = [];
  let trainSeconds = 0;

  for (let epoch = (resumed?.epoch ?? 0) + 1; epoch <= cfg.epochs; epoch++) {
    // Reshuffled every epoch from one seeded stream: same seed, same batches.
    const order = permutation(n, rand);
    const started = performance.now();
    let lossSum = 0;
    for (let step = 0; step < stepsPerEpoch;) {
      // Full batches go in chunks; a short last batch (PyTorch keeps it) is a call of its own.
      const [count, width] = step < fullSteps ? [Math.min(cfg.chunkSteps, fullSteps - step), B] : [1, n - fullSteps * B];
      hooks.signal?.throwIfAborted();
      const chunkStart = performance.now();
      const { losses, ...next } = await program.run(state, order.subarray(step * B, step * B + count * width), count, width);
      state = next;
      step += count;
      for (const l of losses) lossSum += l;
      hooks.onChunk?.({ epoch, step, stepsPerEpoch, losses, seconds: (performance.now() - chunkStart) / 1000 });
      if (evaluator.error) throw evaluator.error;
      if (failed) throw failed;
    }
    const seconds = (performance.now() - started) / 1000;
    trainSeconds += seconds;
    const trainLoss = lossSum / stepsPerEpoch;
    // The state is saved now, not after the evaluation: that may come epochs later (a worker
    // still starting), and a run killed meanwhile should lose at most the epoch it was in.
    const saving = Promise.resolve(hooks.onEpochEnd?.({ epoch, step: state.step, params: state.params, slots: { ...state.slots }, rng: rand.state }, { epoch, steps: stepsPerEpoch, seconds, trainLoss }));
    const evaluation = evaluator.evaluate(state.params).then((e) => {
      const report: EpochReport = { epoch, steps: stepsPerEpoch, seconds, trainLoss, testLoss: e.loss, testAccuracy: e.correct / data.test.count };
      epochs.push(report);
      hooks.onEpoch?.(report);
    });
    for (const p of [saving, evaluation]) p.catch((e: unknown) => { failed ??= e; }); // awaited below; a failure also stops the next chunk
    evaluations.push(evaluation, saving);
    // On training's own thread it would run inside the next epoch's first chunk and its clock.
    if (!evaluator.concurrent) await evaluation;
  }
  hooks.onTrained?.(model, state.params);
  await Promise.all(evaluations);
  return { model, optimizer, params: state.params, slots: state.slots, steps: state.step, epochs, trainSeconds };
}
