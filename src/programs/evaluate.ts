// The per-epoch evaluation program: the whole test set in one run.
import { Graph } from '../graph/graph.js';
import { argMax, cast, equal, reduceSum } from '../graph/ops.js';
import { crossEntropy } from '../model/loss.js';
import { unflatten, type Model } from '../model/model.js';
import { normalize, toUnit, type Stats } from './input.js';

/** (params [P], images uint8 [S, inputs], labels int32 [S]) -> correct count (int64) and mean loss. */
export function buildEvaluate(model: Model, stats: Stats): Graph {
  const g = new Graph('evaluate');
  const params = g.input('params', 'float', [model.layout.total]);
  const images = g.input('images', 'uint8', ['S', model.inputSize]);
  const labels = g.input('labels', 'int32', ['S']);
  const logits = model.forward(normalize(toUnit(images), stats), unflatten(params, model.layout), { training: false });
  const hits = cast(equal(argMax(logits, 1, 0), cast(labels, 'int64')), 'int64');
  g.output(['correct', reduceSum(hits, undefined, 0)], ['loss', crossEntropy(logits, labels)]);
  return g;
}
