// The floor the training loop is compared against: only the 8 matrix products of
// one forward+backward step (same shapes, same Gemm attributes), run inside an
// ONNX Loop for a whole epoch of steps.
import { Graph, type Value } from '../src/graph/graph.js';
import { gemm, loop } from '../src/graph/ops.js';

/**
 * One step's products, the training step's shapes and Gemm attributes: the forward layers
 * (the output itself stands in for the loss gradient), then each weight gradient and,
 * above the first layer, the input gradient. Returns the weight gradients.
 */
export function stepProducts(x: Value, ws: Value[], bs: Value[]): Value[] {
  const hs: Value[] = [x];
  for (let l = 0; l < ws.length; l++) hs.push(gemm(hs[l], ws[l], bs[l], { transB: 1 }));
  const dws: Value[] = [];
  let d = hs[hs.length - 1];
  for (let l = ws.length - 1; l >= 0; l--) {
    dws[l] = gemm(d, hs[l], undefined, { transA: 1 });
    if (l > 0) d = gemm(d, ws[l]);
  }
  return dws;
}

export function matmulFloorGraph(batch: number, sizes: number[]): Graph {
  const g = new Graph('matmul_floor');
  const steps = g.input('steps', 'int64', []);
  const x = g.input('x', 'float', [batch, sizes[0]]);
  const ws: Value[] = [], bs: Value[] = [];
  for (let l = 1; l < sizes.length; l++) {
    ws.push(g.input(`w${l}`, 'float', [sizes[l], sizes[l - 1]]));
    bs.push(g.input(`b${l}`, 'float', [sizes[l]]));
  }
  // The weights are loop-carried (passed through unchanged) so every product runs in
  // the body each iteration; the weight gradients are carried out (overwritten).
  const outs = loop(steps, [...ws, ...ws], (_, carried) => {
    const wb = carried.slice(0, ws.length);
    return { next: [...wb, ...stepProducts(x, wb, bs)] };
  });
  g.output(...outs.slice(ws.length).map((o, l): [string, Value] => [`dw${l + 1}`, o]));
  return g;
}

/** Multiply-adds x2 of one step's 8 products. */
export function stepFlops(batch: number, sizes: number[]): number {
  let f = 0;
  for (let l = 1; l < sizes.length; l++) {
    const mk = sizes[l] * sizes[l - 1];
    f += 2 * batch * mk * (l === 1 ? 2 : 3); // forward, weight gradient, and (above the first layer) input gradient
  }
  return f;
}
