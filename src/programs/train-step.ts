// train-step.onnx: one training step as its own model, to drive from any ONNX Runtime
// (README "train-step.onnx"): the flat parameters and each optimizer slot in PyTorch's
// scaling go in and come out, with the float64 step count and the batch's loss.
import { Graph } from '../graph/graph.js';
import { add, flatten, mul } from '../graph/ops.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { oneGroup } from '../optim/state-layout.js';
import { normalize, type Stats } from './input.js';
import { againstLabels, trainStep } from './step.js';

/** (params, <slot io names>, step, pixels [N,1,rows,cols] in [0,1], labels int64 [N]) -> the same state, updated, and loss. */
export function buildTrainStep(model: Model, opt: Optimizer, stats: Stats, imageShape: [number, number]): Graph {
  const g = new Graph('train_step');
  const P = model.layout.total;
  const params = g.input('params', 'float', [P]);
  // The contract keeps PyTorch's scaling; the optimizer's own storage is converted at the edges.
  const slots = Object.fromEntries(opt.slots.map((s) => {
    const given = g.input(s.io, 'float', [P]);
    return [s.name, [s.scale === 1 ? given : mul(given, 1 / s.scale)]];
  }));
  const step = g.input('step', 'double', []);
  const pixels = g.input('pixels', 'float', ['N', 1, ...imageShape]);
  const labels = g.input('labels', 'int64', ['N']);
  const next = add(step, 1);
  const r = trainStep(model, opt, oneGroup(model.layout), { params: [params], slots }, normalize(flatten(pixels, 1), stats), againstLabels(labels), opt.scalars(next));
  g.output(
    ['params_out', r.params[0]],
    ...opt.slots.map((s): [string, typeof params] => [`${s.io}_out`, s.scale === 1 ? r.slots[s.name][0] : mul(r.slots[s.name][0], s.scale)]),
    ['step_out', next], ['loss', r.loss],
  );
  return g;
}
