// Every optimizer with its float64 reference: the program tests are generated from
// this table, so an optimizer added to src/optim/ without a case here goes unchecked
// (test/optim/cases.test.ts fails on that).
import { adam, ADAM_DEFAULTS } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { sgd } from '../../src/optim/sgd.js';
import { refAdam, refSgd, type RefOptimizer } from './reference.js';

export const OPTIMIZER_CASES: { title: string; optimizer: Optimizer; ref: RefOptimizer }[] = [
  { title: 'Adam (lr 0.001, betas 0.9/0.999, eps 1e-8)', optimizer: adam(), ref: refAdam(ADAM_DEFAULTS) },
  { title: 'SGD (lr 0.05, momentum 0.9)', optimizer: sgd({ lr: 0.05, momentum: 0.9 }), ref: refSgd({ lr: 0.05, momentum: 0.9 }) },
];
