// The fast training program: K steps per call inside an ONNX Loop. Parameters and
// optimizer slots stay loop-carried (in the optimizer's own storage and the grouping
// state-layout.ts picks for the target), the uint8 dataset is passed once and every
// step gathers its batch by index; the optimizer's per-step scalars for all K steps
// are computed once per call, before the Loop, and gathered by the body.
import { Graph, type Value } from '../graph/graph.js';
import { add, cast, concat, gather, range, reshape, shapeOf, slice } from '../graph/ops.js';
import { loopTree } from '../graph/tree.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { loopGroups } from '../optim/state-layout.js';
import { normalizeBytes, type Stats } from './input.js';
import { againstLabels, trainStep } from './step.js';
import type { Target } from './target.js';

/**
 * Inputs: params [P], one [P] per optimizer slot (by slot name, stored form), step
 * (float64, steps so far), images uint8 [S, inputs], labels int32 [S], batches int32
 * [K, B] (rows of indices into images). Outputs: params_out, <slot>_out, step_out,
 * losses [K].
 */
export function buildTrainLoop(model: Model, opt: Optimizer, stats: Stats, target: Target): Graph {
  const layout = model.layout;
  const groups = loopGroups(layout, target.threads);
  const g = new Graph('train_loop');
  const params = g.input('params', 'float', [layout.total]);
  const slots = Object.fromEntries(opt.slots.map((s) => [s.name, g.input(s.name, 'float', [layout.total])]));
  const step = g.input('step', 'double', []);
  const images = g.input('images', 'uint8', ['S', model.inputSize]);
  const labels = g.input('labels', 'int32', ['S']);
  const batches = g.input('batches', 'int32', ['K', 'B']);

  const steps = reshape(slice(shapeOf(batches), g.constant('int64', [0]), g.constant('int64', [1]), [0], [1]), [], []);
  const one = g.constant('int64', 1);
  const scalars = opt.scalars(add(step, cast(range(one, add(steps, 1), one), 'double')));

  // The flat vectors are cut into groups once per call and joined again after the Loop.
  const c = (n: number) => g.constant('int64', [n]);
  const cut = (flat: Value) => groups.map((p) => (groups.length === 1 ? flat : slice(flat, c(p.offset), c(p.offset + p.size), [0], [p.size])));
  const join = (parts: Value[]) => (parts.length === 1 ? parts[0] : concat(parts, 0));
  const init = { params: cut(params), slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, cut(v)])), step };

  const { final, scan } = loopTree(steps, init, (iter, s) => {
    const idx = gather(batches, iter, 0);
    const x = normalizeBytes(gather(images, idx, 0), stats);
    const stepScalars = Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k, gather(v, iter, 0)]));
    const r = trainStep(model, opt, groups, s, x, againstLabels(gather(labels, idx, 0)), stepScalars);
    return { next: { params: r.params, slots: r.slots, step: add(s.step, 1) }, scan: [r.loss] };
  });
  g.output(
    ['params_out', join(final.params)],
    ...opt.slots.map((s): [string, Value] => [`${s.name}_out`, join(final.slots[s.name])]),
    ['step_out', final.step], ['losses', scan[0]],
  );
  return g;
}
