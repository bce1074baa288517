// The training programs: one step as its own model (train-step.onnx, to drive from
// any ONNX Runtime), the same step inside an ONNX Loop (the fast path: weights and
// moments stay loop-carried, the uint8 dataset is passed once and batches are
// gathered by index in the graph), and an evaluation graph.
import { adamUpdate, biasCorrections, type AdamConfig, type AdamState, type BiasCorrections, type MomentScale } from './adam.js';
import { gradients } from './autodiff.js';
import { Graph, type Value } from './graph.js';
import { crossEntropy, normalize, normalizeBytes, toUnit } from './loss.js';
import { mlpForward, unflatten, type ParamLayout } from './mlp.js';
import { add, argMax, cast, concat, equal, flatten, gather, loop, range, reduceSum, reshape, shapeOf, slice } from './ops.js';

export interface Stats { mean: number; std: number }

/** Forward, loss, gradients and Adam for one normalized batch x [N, inputs]. */
export function trainStepCore(
  s: AdamState, x: Value, labels: Value, layout: ParamLayout, adam: AdamConfig, bc?: BiasCorrections, scale: MomentScale = 'pytorch',
) {
  const params = unflatten(s.params, layout);
  const loss = crossEntropy(mlpForward(x, params), labels);
  const grads = gradients(loss, params);
  const flat = concat(grads.map((d, i) => (layout.tensors[i].shape.length === 1 ? d : reshape(d, [-1], [layout.tensors[i].size]))), 0);
  const t = add(s.t, 1);
  return { ...adamUpdate(s, flat, bc ?? biasCorrections(t, adam, scale), adam, scale), t, loss };
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
  const out = trainStepCore(s, normalize(flatten(pixels, 1), stats), labels, layout, adam);
  g.output(['params_out', out.params], ['adam_m_out', out.m], ['adam_v_out', out.v], ['step_out', out.t], ['loss', out.loss]);
  return g;
}

/**
 * The training Loop graph: one Adam step per row of `batches` (int32 [K, B], indices
 * into the uint8 `images`), K steps per call. The bias corrections of all K steps are
 * computed once, in float64, before the loop; the body gathers its own. The moments
 * are carried unit-scaled by default (internal state; see MomentScale).
 */
export function buildTrainLoop(layout: ParamLayout, stats: Stats, adam: AdamConfig, scale: MomentScale = 'unit'): Graph {
  const g = new Graph('train_loop');
  const s = stateInputs(g, layout.total, ['params', 'adam_m', 'adam_v', 'step']);
  const images = g.input('images', 'uint8', ['S', layout.inputSize]);
  const labels = g.input('labels', 'int32', ['S']);
  const batches = g.input('batches', 'int32', ['K', 'B']);

  const steps = reshape(slice(shapeOf(batches), g.constant('int64', [0]), g.constant('int64', [1]), [0], [1]), [], []);
  const one = g.constant('int64', 1);
  const stepNumbers = add(s.t, cast(range(one, add(steps, 1), one), 'double'));
  const bcs = biasCorrections(stepNumbers, adam, scale);

  const [p, m, v, t, losses] = loop(steps, [s.params, s.m, s.v, s.t], (iter, [params, m, v, t]) => {
    const idx = gather(batches, iter, 0);
    const x = normalizeBytes(gather(images, idx, 0), stats);
    const bc = { alpha: gather(bcs.alpha, iter, 0), epsHat: gather(bcs.epsHat, iter, 0) };
    const out = trainStepCore({ params, m, v, t }, x, gather(labels, idx, 0), layout, adam, bc, scale);
    return { next: [out.params, out.m, out.v, out.t], scan: [out.loss] };
  });
  g.output(['params_out', p], ['adam_m_out', m], ['adam_v_out', v], ['step_out', t], ['losses', losses]);
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

