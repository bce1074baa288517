// The training programs: one step as its own model (train-step.onnx, to drive from
// any ONNX Runtime), the same step inside an ONNX Loop (the fast path: weights and
// moments stay loop-carried, the uint8 dataset is passed once and batches are
// gathered by index in the graph), and an evaluation graph.
import { adamUpdate, biasCorrections, type AdamConfig, type AdamState, type BiasCorrections, type MomentScale } from '../optim/adam.js';
import { gradients } from '../graph/autodiff.js';
import { Graph, type Value } from '../graph/graph.js';
import { groupGradients, groupViews, oneGroup, paramGroups, type ParamGroup } from '../optim/state-layout.js';
import { crossEntropy, normalize, normalizeBytes, toUnit } from '../model/loss.js';
import { mlpForward, unflatten, type ParamLayout } from '../model/mlp.js';
import { add, argMax, cast, concat, equal, flatten, gather, loop, range, reduceSum, reshape, shapeOf, slice } from '../graph/ops.js';

export interface Stats { mean: number; std: number }

/** Adam state of one parameter group: params, m and v are flat [group size]. */
export type GroupState = Omit<AdamState, 't'>;

/**
 * Forward, loss, gradients and Adam for one normalized batch x [N, inputs], the
 * parameters held as one flat state per group (see param-groups.ts).
 */
export function trainStepCore(
  s: GroupState[], t: Value, x: Value, labels: Value, layout: ParamLayout, groups: ParamGroup[],
  adam: AdamConfig, bc?: BiasCorrections, scale: MomentScale = 'pytorch',
) {
  const params = groupViews(s.map((g) => g.params), groups, layout);
  const loss = crossEntropy(mlpForward(x, params), labels);
  const grads = groupGradients(gradients(loss, params), groups, layout);
  const tNext = add(t, 1);
  const corrections = bc ?? biasCorrections(tNext, adam, scale);
  return { groups: s.map((g, k) => adamUpdate(g, grads[k], corrections, adam, scale)), t: tNext, loss };
}

function stateInputs(g: Graph, P: number, names: [string, string, string, string]): AdamState {
  return {
    params: g.input(names[0], 'float', [P]),
    m: g.input(names[1], 'float', [P]),
    v: g.input(names[2], 'float', [P]),
    t: g.input(names[3], 'double', []),
  };
}

/** train-step.onnx: (params, adam_m, adam_v, step, pixels [N,1,28,28] in [0,1], labels int64 [N]) -> updated state and loss. */
export function buildTrainStep(layout: ParamLayout, stats: Stats, adam: AdamConfig, imageShape: [number, number]): Graph {
  const g = new Graph('train_step');
  const s = stateInputs(g, layout.total, ['params', 'adam_m', 'adam_v', 'step']);
  const pixels = g.input('pixels', 'float', ['N', 1, ...imageShape]);
  const labels = g.input('labels', 'int64', ['N']);
  const out = trainStepCore([s], s.t, normalize(flatten(pixels, 1), stats), labels, layout, oneGroup(layout), adam);
  const [u] = out.groups;
  g.output(['params_out', u.params], ['adam_m_out', u.m], ['adam_v_out', u.v], ['step_out', out.t], ['loss', out.loss]);
  return g;
}

/**
 * The training Loop graph: one Adam step per row of `batches` (int32 [K, B], indices
 * into the uint8 `images`), K steps per call. The bias corrections of all K steps are
 * computed once, in float64, before the loop; the body gathers its own. The moments
 * are carried unit-scaled by default (internal state; see MomentScale).
 */
export function buildTrainLoop(
  layout: ParamLayout, stats: Stats, adam: AdamConfig, scale: MomentScale = 'unit', groups: ParamGroup[] = paramGroups(layout),
): Graph {
  const g = new Graph('train_loop');
  const s = stateInputs(g, layout.total, ['params', 'adam_m', 'adam_v', 'step']);
  const images = g.input('images', 'uint8', ['S', layout.inputSize]);
  const labels = g.input('labels', 'int32', ['S']);
  const batches = g.input('batches', 'int32', ['K', 'B']);

  const steps = reshape(slice(shapeOf(batches), g.constant('int64', [0]), g.constant('int64', [1]), [0], [1]), [], []);
  const one = g.constant('int64', 1);
  const stepNumbers = add(s.t, cast(range(one, add(steps, 1), one), 'double'));
  const bcs = biasCorrections(stepNumbers, adam, scale);

  // The flat state is cut into groups once per call and joined again after the loop.
  const c = (n: number) => g.constant('int64', [n]);
  const cut = (flat: Value) => groups.map((p) => (groups.length === 1 ? flat : slice(flat, c(p.offset), c(p.offset + p.size), [0], [p.size])));
  const join = (parts: Value[]) => (parts.length === 1 ? parts[0] : concat(parts, 0));
  const n = groups.length;
  const init = [...cut(s.params), ...cut(s.m), ...cut(s.v), s.t];

  const out = loop(steps, init, (iter, carried) => {
    const state = groups.map((_, k) => ({ params: carried[k], m: carried[n + k], v: carried[2 * n + k] }));
    const idx = gather(batches, iter, 0);
    const x = normalizeBytes(gather(images, idx, 0), stats);
    const bc = { alpha: gather(bcs.alpha, iter, 0), epsHat: gather(bcs.epsHat, iter, 0) };
    const r = trainStepCore(state, carried[3 * n], x, gather(labels, idx, 0), layout, groups, adam, bc, scale);
    return { next: [...r.groups.map((u) => u.params), ...r.groups.map((u) => u.m), ...r.groups.map((u) => u.v), r.t], scan: [r.loss] };
  });
  g.output(['params_out', join(out.slice(0, n))], ['adam_m_out', join(out.slice(n, 2 * n))], ['adam_v_out', join(out.slice(2 * n, 3 * n))],
    ['step_out', out[3 * n]], ['losses', out[3 * n + 1]]);
  return g;
}

/** evaluate.onnx: (params, images uint8 [S, inputs], labels int32 [S]) -> correct count (int64) and mean loss. */
export function buildEvaluate(layout: ParamLayout, stats: Stats): Graph {
  const g = new Graph('evaluate');
  const params = g.input('params', 'float', [layout.total]);
  const images = g.input('images', 'uint8', ['S', layout.inputSize]);
  const labels = g.input('labels', 'int32', ['S']);
  const logits = mlpForward(normalize(toUnit(images), stats), unflatten(params, layout));
  const hits = cast(equal(argMax(logits, 1, 0), cast(labels, 'int64')), 'int64');
  g.output(['correct', reduceSum(hits, undefined, 0)], ['loss', crossEntropy(logits, labels)]);
  return g;
}

