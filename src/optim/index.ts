// The optimizers by CLI name. A new optimizer is a module beside adam.ts and a line here.
import { adam } from './adam.js';
import { sgd } from './sgd.js';
import type { Optimizer } from './optimizer.js';

/** What the command line (or the page's form) says about the optimizer; unset settings take the optimizer's defaults. */
export interface OptimizerSpec { name: string; lr?: number; momentum?: number }

export const OPTIMIZERS: Readonly<Record<string, (spec: OptimizerSpec) => Optimizer>> = {
  adam: ({ lr }) => adam({ lr }),
  sgd: ({ lr, momentum }) => sgd({ lr, momentum }),
};

export function createOptimizer(spec: OptimizerSpec): Optimizer {
  const make = OPTIMIZERS[spec.name];
  if (!make) throw new Error(`unknown optimizer "${spec.name}"; one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  const opt = make(spec);
  // A setting the optimizer does not have (--momentum for Adam) is a mistake, not something to ignore.
  const { name: _, ...given } = spec;
  const unused = Object.entries(given).filter(([k, v]) => v !== undefined && !(k in opt.hyper)).map(([k]) => k);
  if (unused.length) throw new Error(`${opt.name} has no setting ${unused.join(', ')} (its settings: ${Object.keys(opt.hyper).join(', ')})`);
  return opt;
}

/** As PyTorch prints it: Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8). */
export const describeOptimizer = (o: Optimizer) => `${o.name}(${Object.entries(o.hyper).map(([k, v]) => `${k}=${v}`).join(', ')})`;

export type { Optimizer, Slot } from './optimizer.js';
