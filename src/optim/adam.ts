// Adam with PyTorch's semantics (bias-corrected, eps added after the square root),
// as ordinary ONNX ops over the flat parameter vector.
import type { Value } from '../graph/graph.js';
import { add, cast, div, mul, pow, sqrt, sub } from '../graph/ops.js';

export interface AdamConfig { lr: number; beta1: number; beta2: number; eps: number }
export const ADAM_DEFAULTS: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface AdamState { params: Value; m: Value; v: Value; /** float64 scalar: steps taken */ t: Value }

/**
 * How the moments are stored. 'pytorch': m and v exactly as torch.optim.Adam keeps
 * them (train-step.onnx's documented state). 'unit': m / (1-b1) and v / (1-b2), whose
 * updates m = b1 m + g and v = b2 v + g^2 take two elementwise passes fewer per step;
 * the constant factors move into the two per-step scalars (the Loop's internal state).
 */
export type MomentScale = 'pytorch' | 'unit';

export interface BiasCorrections { /** float32 */ alpha: Value; /** float32 */ epsHat: Value }

/**
 * alpha and epsHat for step number(s) t (float64, 1-based; a scalar or a vector of
 * steps, so a Loop can compute a whole chunk's corrections once, outside its body).
 */
export function biasCorrections(t: Value, cfg: AdamConfig, scale: MomentScale = 'pytorch'): BiasCorrections {
  // NOTE: in float32, 1 - 0.999^t loses about 3 digits; the scalars are computed in float64.
  const g = t.graph;
  const bc1 = sub(1, pow(g.constant('double', cfg.beta1), t));
  const sqrtBc2 = sqrt(sub(1, pow(g.constant('double', cfg.beta2), t)));
  // With unit-scaled moments m = (1-b1) M and v = (1-b2) V: alpha *= (1-b1)/sqrt(1-b2), epsHat /= sqrt(1-b2).
  const [a, e] = scale === 'unit' ? [(1 - cfg.beta1) / Math.sqrt(1 - cfg.beta2), 1 / Math.sqrt(1 - cfg.beta2)] : [1, 1];
  return { alpha: cast(div(mul(sqrtBc2, cfg.lr * a), bc1), 'float'), epsHat: cast(mul(sqrtBc2, cfg.eps * e), 'float') };
}

/**
 * PyTorch: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *          p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bc_i = 1 - b_i^t.
 * Multiplying through by sqrt(bc2) leaves two scalars, so the per-element work is
 * p -= alpha * m / (sqrt(v) + epsHat) with alpha = lr sqrt(bc2) / bc1, epsHat = eps sqrt(bc2).
 *
 * This is the per-element part of one step, given that step's bias corrections.
 */
export function adamUpdate(s: Omit<AdamState, 't'>, grad: Value, bc: BiasCorrections, cfg: AdamConfig, scale: MomentScale = 'pytorch') {
  const m = scale === 'unit' ? add(mul(s.m, cfg.beta1), grad) : add(mul(s.m, cfg.beta1), mul(grad, 1 - cfg.beta1));
  const gg = mul(grad, grad);
  const v = scale === 'unit' ? add(mul(s.v, cfg.beta2), gg) : add(mul(s.v, cfg.beta2), mul(gg, 1 - cfg.beta2));
  const params = sub(s.params, mul(div(m, add(sqrt(v), bc.epsHat)), bc.alpha));
  return { params, m, v };
}
