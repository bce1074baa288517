// The reference notebook's classifier: Linear layers in PyTorch's nn.Linear layout
// (weight [out, in], bias [out]) with ReLU between them.
import type { Value } from '../graph/graph.js';
import { gemm, relu } from '../graph/ops.js';
import { flatLayout, uniformFanIn, type Model, type ParamSpec } from './model.js';

export function mlp(inputSize: number, hidden: readonly number[], classes: number): Model {
  const sizes = [inputSize, ...hidden, classes];
  const specs: ParamSpec[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, out] = [sizes[l - 1], sizes[l]];
    specs.push({ name: `fc${l}.weight`, shape: [out, fanIn], fanIn }, { name: `fc${l}.bias`, shape: [out], fanIn });
  }
  const layout = flatLayout(specs);
  return {
    kind: 'mlp',
    inputSize,
    classes,
    layout,
    config: { hidden: [...hidden] },
    init: (rand) => uniformFanIn(layout, rand),
    forward(x: Value, params: readonly Value[]): Value {
      let h = x;
      const layers = params.length / 2;
      for (let l = 0; l < layers; l++) {
        h = gemm(h, params[2 * l], params[2 * l + 1], { transB: 1 });
        if (l < layers - 1) h = relu(h);
      }
      return h;
    },
  };
}
