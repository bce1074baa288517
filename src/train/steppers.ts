// How the trainer runs a chunk of steps: the ONNX Loop (CPU, CUDA: the dataset goes in
// once and the graph gathers batches) or, where the provider has no Loop kernel, no
// float64 and no integer gathers (WebGPU), an unrolled program fed batches from
// JavaScript. Both take and return the same state, so the trainer does not care.
import type { Split } from '../data/dataset.js';
import { NORMALIZATION } from '../data/mnist-spec.js';
import { serializeModel } from '../graph/serialize.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { buildTrainLoop } from '../programs/train-loop.js';
import { buildTrainUnrolled } from '../programs/train-unrolled.js';
import type { RtSession, RtTensor, Runtime } from './runtime.js';

export interface StepState {
  params: Float32Array;
  /** The optimizer's slots by name, in its own storage. */
  slots: Record<string, Float32Array>;
  /** Steps taken. */
  step: number;
}

export interface Stepper {
  /** `count` steps on the batches `order` (count rows of `width` training-set indices). */
  run(s: StepState, order: Int32Array, count: number, width: number): Promise<StepState & { losses: Float32Array }>;
  release(): Promise<void>;
}

/**
 * Providers whose training program is the unrolled one: WebGPU has no Loop kernel, and
 * onnxruntime-web's WASM build runs the Loop at ~8 ms a step against ~3 ms unrolled
 * (measured in Node, 1 thread; BENCHMARKS.md).
 */
export const needsUnrolled = (ep: string) => ep === 'webgpu' || ep === 'wasm';

export async function createStepper(rt: Runtime, model: Model, optimizer: Optimizer, train: Split, n: number, batch: number): Promise<Stepper> {
  const unrolled = rt.target.program ? rt.target.program === 'unrolled' : needsUnrolled(rt.target.ep);
  return unrolled ? unrolledStepper(rt, model, optimizer, train, n, batch) : loopStepper(rt, model, optimizer, train, n);
}

const slotFeeds = (rt: Runtime, opt: Optimizer, s: StepState): Record<string, RtTensor> =>
  Object.fromEntries(opt.slots.map(({ name }) => [name, rt.tensor('float32', s.slots[name], [s.slots[name].length])]));
const slotsOut = (opt: Optimizer, r: Record<string, RtTensor>) =>
  Object.fromEntries(opt.slots.map(({ name }) => [name, r[`${name}_out`].data as Float32Array]));

async function loopStepper(rt: Runtime, model: Model, opt: Optimizer, train: Split, n: number): Promise<Stepper> {
  const session = await rt.session(serializeModel(buildTrainLoop(model, opt, NORMALIZATION, rt.target)));
  const inputs = model.inputSize;
  // The training set goes in once per call as it is (ORT does not copy inputs); labels as int32, no BigInt.
  const data = {
    images: rt.tensor('uint8', train.images.subarray(0, n * inputs), [n, inputs]),
    labels: rt.tensor('int32', Int32Array.from(train.labels.subarray(0, n)), [n]),
  };
  return {
    async run(s, order, count, width) {
      const r = await session.run({
        ...data, ...slotFeeds(rt, opt, s),
        batches: rt.tensor('int32', order, [count, width]),
        params: rt.tensor('float32', s.params, [s.params.length]),
        step: rt.tensor('float64', Float64Array.of(s.step), []),
      });
      return { params: r.params_out.data as Float32Array, slots: slotsOut(opt, r), step: (r.step_out.data as Float64Array)[0], losses: r.losses.data as Float32Array };
    },
    release: () => session.release(),
  };
}

/**
 * Steps per unrolled program: a 20-step program builds in ~0.2 s in onnxruntime-web
 * and runs as fast per step as longer ones (measured in Node, WASM, 1 thread).
 */
const UNROLLED_STEPS = 20;

async function unrolledStepper(rt: Runtime, model: Model, opt: Optimizer, train: Split, n: number, batch: number): Promise<Stepper> {
  // One program per (steps, batch) shape: UNROLLED_STEPS steps of full batches; single
  // steps for an epoch's remainder and its short last batch.
  const sessions = new Map<string, Promise<RtSession>>();
  const sessionFor = (count: number, width: number) => {
    const key = `${count}x${width}`;
    if (!sessions.has(key)) sessions.set(key, rt.session(serializeModel(buildTrainUnrolled(model, opt, NORMALIZATION, rt.target, count, width))));
    return sessions.get(key)!;
  };
  // All built now, before the first epoch's clock (as the Loop is), and so that a provider
  // that cannot take a program fails before training starts.
  const full = Math.floor(n / batch), short = n % batch;
  const shapes = [...(full >= UNROLLED_STEPS ? [[UNROLLED_STEPS, batch]] : []), ...(full > 0 ? [[1, batch]] : []), ...(short > 0 ? [[1, short]] : [])];
  for (const [count, width] of shapes) await sessionFor(count, width);
  const { inputSize: inputs, classes } = model;
  const names = Object.keys(opt.scalarValues(1));

  // NOTE: the batches go in through buffers kept per shape, not fresh arrays: Chromium
  // maps a fresh 4 MB array page by page on first write (~15 ms a call measured here, a
  // third of the step time), and a runtime is done with its inputs when run() resolves.
  const buffers = new Map<number, { pixels: Float32Array; targets: Float32Array }>();
  const staging = (rows: number) => {
    if (!buffers.has(rows)) buffers.set(rows, { pixels: new Float32Array(rows * inputs), targets: new Float32Array(rows * classes) });
    return buffers.get(rows)!;
  };

  async function call(s: StepState, order: Int32Array, count: number, width: number): Promise<StepState & { losses: Float32Array }> {
    const { pixels, targets } = staging(order.length);
    targets.fill(0);
    order.forEach((img, row) => {
      pixels.set(train.images.subarray(img * inputs, (img + 1) * inputs), row * inputs);
      targets[row * classes + train.labels[img]] = 1;
    });
    const scalars: Record<string, RtTensor> = {};
    for (const name of names) {
      // NOTE: float64 in JavaScript, rounded once to float32: 1 - 0.999^t loses digits in float32.
      const v = Float32Array.from({ length: count }, (_, k) => opt.scalarValues(s.step + k + 1)[name]);
      scalars[`scalar_${name}`] = rt.tensor('float32', v, [count]);
    }
    const session = await sessionFor(count, width);
    const r = await session.run({
      ...slotFeeds(rt, opt, s), ...scalars,
      params: rt.tensor('float32', s.params, [s.params.length]),
      pixels: rt.tensor('float32', pixels, [order.length, inputs]),
      targets: rt.tensor('float32', targets, [order.length, classes]),
    });
    return { params: r.params_out.data as Float32Array, slots: slotsOut(opt, r), step: s.step + count, losses: r.losses.data as Float32Array };
  }

  return {
    async run(s, order, count, width) {
      const losses = new Float32Array(count);
      let cur = s;
      for (let k = 0; k < count;) {
        const n = count - k >= UNROLLED_STEPS ? UNROLLED_STEPS : 1;
        const { losses: part, ...next } = await call(cur, order.subarray(k * width, (k + n) * width), n, width);
        losses.set(part, k);
        cur = next;
        k += n;
      }
      return { ...cur, losses };
    },
    async release() {
      for (const p of sessions.values()) await (await p).release();
    },
  };
}
