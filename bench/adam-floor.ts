// The other half of the design floor: only the Adam update of the training Loop
// (the same ops as src/optim/adam.ts, its stored moments, per-step scalars as inputs) over
// the flat parameter vector, with a fixed gradient, inside an ONNX Loop.
import { adam } from '../src/optim/adam.js';
import { Graph } from '../src/graph/graph.js';
import { loop } from '../src/graph/ops.js';

export function adamFloorGraph(params: number): Graph {
  const g = new Graph('adam_floor');
  const steps = g.input('steps', 'int64', []);
  const [p, m, v, grad] = ['p', 'm', 'v', 'grad'].map((n) => g.input(n, 'float', [params]));
  const scalars = { alpha: g.input('alpha', 'float', []), epsHat: g.input('eps_hat', 'float', []) };
  const opt = adam();
  const outs = loop(steps, [p, m, v], (_, [pc, mc, vc]) => {
    const u = opt.update(pc, grad, { exp_avg: mc, exp_avg_sq: vc }, scalars);
    return { next: [u.param, u.slots.exp_avg, u.slots.exp_avg_sq] };
  });
  g.output(['p_out', outs[0]], ['m_out', outs[1]], ['v_out', outs[2]]);
  return g;
}
