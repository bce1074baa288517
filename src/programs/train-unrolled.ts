// The training program for execution providers without Loop, float64 or integer
// gathers (ORT's WebGPU EP: ../shared/ort-facts.md): K steps unrolled into one graph
// of fixed batch shape. JavaScript hands each call its K batches as pixel values
// (float32 0..255) with one-hot targets, and the optimizer's per-step scalars as
// float32 [K] computed in JavaScript, so every node can run on the GPU. The step
// itself is the Loop's (step.ts), with the loss written from ops WebGPU has.
import { Graph, type Value } from '../graph/graph.js';
import { concat, reshape, slice } from '../graph/ops.js';
import { crossEntropyOneHot } from '../model/loss.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { loopGroups } from '../optim/state-layout.js';
import { normalizePixelValues, type Stats } from './input.js';
import { trainStep } from './step.js';
import type { Target } from './target.js';

/**
 * Inputs: params [P], one [P] per optimizer slot (by slot name, stored form), pixels
 * float32 [K*B, inputs] (0..255), targets float32 [K*B, classes] (one-hot), and one
 * float32 [K] per optimizer scalar (`scalar_<name>`, steps t+1..t+K). Outputs:
 * params_out, <slot>_out, losses [K].
 */
export function buildTrainUnrolled(model: Model, opt: Optimizer, stats: Stats, target: Target, steps: number, batch: number): Graph {
  const { layout, inputSize, classes } = model;
  const groups = loopGroups(layout, target.threads);
  const g = new Graph('train_unrolled');
  const rows = steps * batch;
  const params = g.input('params', 'float', [layout.total]);
  const slots = Object.fromEntries(opt.slots.map((s) => [s.name, g.input(s.name, 'float', [layout.total])]));
  const pixels = g.input('pixels', 'float', [rows, inputSize]);
  const targets = g.input('targets', 'float', [rows, classes]);
  const scalarNames = Object.keys(opt.scalarValues(1));
  const scalars = Object.fromEntries(scalarNames.map((k) => [k, g.input(`scalar_${k}`, 'float', [steps])]));

  // Constant bounds: Slice's starts/ends stay host-side inputs, never a CPU node.
  const c = (n: number) => g.constant('int64', [n]);
  const rowsOf = (x: Value, k: number, width: number) => slice(x, c(k * batch), c((k + 1) * batch), [0], [batch, width]);
  const cut = (flat: Value) => groups.map((p) => (groups.length === 1 ? flat : slice(flat, c(p.offset), c(p.offset + p.size), [0], [p.size])));
  const join = (parts: Value[]) => (parts.length === 1 ? parts[0] : concat(parts, 0));

  let state = { params: cut(params), slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, cut(v)])) };
  const losses: Value[] = [];
  for (let k = 0; k < steps; k++) {
    const x = normalizePixelValues(rowsOf(pixels, k, inputSize), stats);
    const onehot = rowsOf(targets, k, classes);
    const stepScalars = Object.fromEntries(Object.entries(scalars).map(([name, v]) => [name, reshape(slice(v, c(k), c(k + 1), [0], [1]), [], [])]));
    const r = trainStep(model, opt, groups, state, x, (logits) => crossEntropyOneHot(logits, onehot), stepScalars);
    state = { params: r.params, slots: r.slots };
    losses.push(reshape(r.loss, [1]));
  }
  g.output(
    ['params_out', join(state.params)],
    ...opt.slots.map((s): [string, Value] => [`${s.name}_out`, join(state.slots[s.name])]),
    ['losses', losses.length === 1 ? losses[0] : concat(losses, 0)],
  );
  return g;
}
