// The classifier: an MLP in PyTorch's nn.Linear layout (weight [out, in], bias
// [out]), its parameters laid out in one flat vector, and PyTorch's default init.
import type { Value } from '../graph/graph.js';
import { gemm, relu, reshape, slice } from '../graph/ops.js';

export interface ParamTensor { name: string; shape: [number] | [number, number]; offset: number; size: number }
export interface ParamLayout { inputSize: number; hidden: number[]; classes: number; tensors: ParamTensor[]; total: number }

/** fc1.weight, fc1.bias, fc2.weight, ... concatenated row-major in this order. */
export function mlpLayout(inputSize: number, hidden: number[], classes: number): ParamLayout {
  const sizes = [inputSize, ...hidden, classes];
  const tensors: ParamTensor[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, out] = [sizes[l - 1], sizes[l]];
    tensors.push({ name: `fc${l}.weight`, shape: [out, fanIn], offset, size: out * fanIn });
    offset += out * fanIn;
    tensors.push({ name: `fc${l}.bias`, shape: [out], offset, size: out });
    offset += out;
  }
  return { inputSize, hidden, classes, tensors, total: offset };
}

/**
 * nn.Linear's default init: kaiming_uniform(a=sqrt(5)) for the weight and the same
 * bound for the bias, both U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function initParams(layout: ParamLayout, rand: () => number): Float32Array {
  const p = new Float32Array(layout.total);
  for (const t of layout.tensors) {
    const fanIn = t.name.endsWith('.weight') ? t.shape[1]! : layout.tensors.find((w) => w.name === t.name.replace('.bias', '.weight'))!.shape[1]!;
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < t.size; i++) p[t.offset + i] = (rand() * 2 - 1) * bound;
  }
  return p;
}

/** Per-tensor views of the flat parameter vector, as graph values. */
export function unflatten(flat: Value, layout: ParamLayout): Value[] {
  const c = (n: number) => flat.graph.constant('int64', [n]);
  return layout.tensors.map((t) => {
    // A vector that is exactly one tensor needs no Slice (a copy in ORT), only its shape.
    const part = t.size === layout.total ? flat : slice(flat, c(t.offset), c(t.offset + t.size), [0], [t.size]);
    return t.shape.length === 1 ? part : reshape(part, t.shape);
  });
}

/** logits = fcL(...relu(fc1(x))) for x [N, inputSize]; params in layout order. */
export function mlpForward(x: Value, params: Value[]): Value {
  let h = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    h = gemm(h, params[2 * l], params[2 * l + 1], { transB: 1 });
    if (l < layers - 1) h = relu(h);
  }
  return h;
}
