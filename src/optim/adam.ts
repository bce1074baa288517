// Adam with PyTorch's semantics (bias-corrected, eps added after the square root,
// no weight decay, no amsgrad), as ordinary ONNX ops.
import type { Value } from '../graph/graph.js';
import { add, cast, div, mul, pow, sqrt, sub } from '../graph/ops.js';
import type { Optimizer } from './optimizer.js';

export interface AdamConfig { lr: number; beta1: number; beta2: number; eps: number }
export const ADAM_DEFAULTS: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * PyTorch: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *          p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bc_i = 1 - b_i^t.
 * Multiplying through by sqrt(bc2) leaves two scalars per step, alpha = lr sqrt(bc2) / bc1
 * and epsHat = eps sqrt(bc2), so the per-element work is p -= alpha * m / (sqrt(v) + epsHat).
 *
 * The moments are stored unit-scaled, m / (1-b1) and v / (1-b2): their updates
 * m = b1 m + g and v = b2 v + g^2 take two elementwise passes fewer per step, and the
 * constant factors move into the two scalars. Each slot's `scale` converts to PyTorch's.
 */
export function adam(opts: Partial<AdamConfig> = {}): Optimizer {
  const d = ADAM_DEFAULTS;
  const cfg = { lr: opts.lr ?? d.lr, beta1: opts.beta1 ?? d.beta1, beta2: opts.beta2 ?? d.beta2, eps: opts.eps ?? d.eps };
  // With unit-scaled moments m = (1-b1) M and v = (1-b2) V: alpha *= (1-b1)/sqrt(1-b2), epsHat /= sqrt(1-b2).
  const [a, e] = [(1 - cfg.beta1) / Math.sqrt(1 - cfg.beta2), 1 / Math.sqrt(1 - cfg.beta2)];
  return {
    id: 'adam',
    name: 'Adam',
    hyper: cfg,
    slots: [
      { name: 'exp_avg', io: 'adam_m', scale: 1 - cfg.beta1 },
      { name: 'exp_avg_sq', io: 'adam_v', scale: 1 - cfg.beta2 },
    ],
    scalars(t) {
      // NOTE: in float32, 1 - 0.999^t loses about 3 digits; the scalars are computed in float64.
      const g = t.graph;
      const bc1 = sub(1, pow(g.constant('double', cfg.beta1), t));
      const sqrtBc2 = sqrt(sub(1, pow(g.constant('double', cfg.beta2), t)));
      return { alpha: cast(div(mul(sqrtBc2, cfg.lr * a), bc1), 'float'), epsHat: cast(mul(sqrtBc2, cfg.eps * e), 'float') };
    },
    scalarValues(t) {
      const sqrtBc2 = Math.sqrt(1 - cfg.beta2 ** t);
      return { alpha: (sqrtBc2 * (cfg.lr * a)) / (1 - cfg.beta1 ** t), epsHat: sqrtBc2 * (cfg.eps * e) };
    },
    update(p: Value, grad: Value, s, { alpha, epsHat }) {
      const m = add(mul(s.exp_avg, cfg.beta1), grad);
      const v = add(mul(s.exp_avg_sq, cfg.beta2), mul(grad, grad));
      return { param: sub(p, mul(div(m, add(sqrt(v), epsHat)), alpha)), slots: { exp_avg: m, exp_avg_sq: v } };
    },
  };
}
