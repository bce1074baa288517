// The other half of the design floor: only the Adam update of the training Loop
// (the same ops from adam.ts, unit-scaled moments, per-step scalars as inputs) over
// the flat parameter vector, with a fixed gradient, inside an ONNX Loop.
import { adamUpdate, ADAM_DEFAULTS } from '../src/optim/adam.js';
import { Graph } from '../src/graph/graph.js';
import { loop } from '../src/graph/ops.js';

export function adamFloorGraph(params: number): Graph {
  const g = new Graph('adam_floor');
  const steps = g.input('steps', 'int64', []);
  const [p, m, v, grad] = ['p', 'm', 'v', 'grad'].map((n) => g.input(n, 'float', [params]));
  const bc = { alpha: g.input('alpha', 'float', []), epsHat: g.input('eps_hat', 'float', []) };
  const outs = loop(steps, [p, m, v], (_, [pc, mc, vc]) => {
    const u = adamUpdate({ params: pc, m: mc, v: vc }, grad, bc, ADAM_DEFAULTS, 'unit');
    return { next: [u.params, u.m, u.v] };
  });
  g.output(['p_out', outs[0]], ['m_out', outs[1]], ['v_out', outs[2]]);
  return g;
}
