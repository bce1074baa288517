// The optimizers by CLI name. A new optimizer is a module beside adam.ts and a line here.
import { adam } from './adam.js';
import type { Optimizer } from './optimizer.js';

/** What the command line (or the page's form) says about the optimizer. */
export interface OptimizerSpec { name: string; lr: number }

export const OPTIMIZERS: Readonly<Record<string, (spec: OptimizerSpec) => Optimizer>> = {
  adam: ({ lr }) => adam({ lr }),
};

export function createOptimizer(spec: OptimizerSpec): Optimizer {
  const make = OPTIMIZERS[spec.name];
  if (!make) throw new Error(`unknown optimizer "${spec.name}"; one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  return make(spec);
}

export type { Optimizer, Slot } from './optimizer.js';
