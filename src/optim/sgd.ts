// SGD with momentum, PyTorch's semantics (dampening 0, no Nesterov, no weight decay):
// buf = momentum * buf + g (buf = g on the first step), p -= lr * buf.
import { add, mul, sub } from '../graph/ops.js';
import type { Optimizer } from './optimizer.js';

export interface SgdConfig { lr: number; momentum: number }
export const SGD_DEFAULTS: SgdConfig = { lr: 0.01, momentum: 0.9 };

export function sgd(opts: Partial<SgdConfig> = {}): Optimizer {
  const cfg = { lr: opts.lr ?? SGD_DEFAULTS.lr, momentum: opts.momentum ?? SGD_DEFAULTS.momentum };
  return {
    id: 'sgd',
    name: 'SGD',
    hyper: cfg,
    // NOTE: PyTorch starts the buffer as a copy of the first gradient; a zero buffer
    // gives exactly that (momentum * 0 + g), so no first-step special case is needed.
    slots: [{ name: 'momentum_buffer', io: 'momentum_buffer', scale: 1 }],
    scalars: () => ({}),
    scalarValues: () => ({}),
    update(p, grad, s) {
      const buf = add(mul(s.momentum_buffer, cfg.momentum), grad);
      return { param: sub(p, mul(buf, cfg.lr)), slots: { momentum_buffer: buf } };
    },
  };
}
