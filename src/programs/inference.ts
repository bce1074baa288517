// The shipped model: pixels [N,1,rows,cols] in [0,1] -> logits, probabilities, label,
// with the normalization inside the graph and the weights as initializers.
import { INPUT, OUTPUTS } from '../contract/artifact.js';
import { Graph } from '../graph/graph.js';
import { argMax, flatten, softmax } from '../graph/ops.js';
import type { Model } from '../model/model.js';
import { normalize, type Stats } from './input.js';

export function buildInference(model: Model, params: Float32Array, stats: Stats, imageShape: [number, number]): Graph {
  const { layout } = model;
  if (params.length !== layout.total) throw new Error(`expected ${layout.total} parameters, got ${params.length}`);
  const g = new Graph('mnist_mlp');
  const pixels = g.input(INPUT.name, 'float', ['N', 1, ...imageShape]);
  const weights = layout.tensors.map((t) =>
    g.initializer(t.name, { dtype: 'float', dims: t.shape, data: params.slice(t.offset, t.offset + t.size) }),
  );
  const logits = model.forward(normalize(flatten(pixels, 1), stats), weights, { training: false });
  g.output([OUTPUTS.logits.name, logits], [OUTPUTS.probabilities.name, softmax(logits, 1)], [OUTPUTS.label.name, argMax(logits, 1, 0)]);
  return g;
}
