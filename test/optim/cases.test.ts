import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../../src/optim/index.js';
import { OPTIMIZER_CASES } from './cases.js';

describe('optimizer test cases', () => {
  it('cover every registered optimizer', () => {
    const covered = new Set(OPTIMIZER_CASES.map((c) => c.optimizer.id));
    expect(Object.keys(OPTIMIZERS).filter((id) => !covered.has(id))).toEqual([]);
  });
});
