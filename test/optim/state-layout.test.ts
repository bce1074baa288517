// How the training Loop groups parameters: a large tensor alone, runs of small ones together.
import { describe, expect, it } from 'vitest';
import { mlp } from '../../src/model/mlp.js';
import type { ParamLayout } from '../../src/model/model.js';
import { loopGroups, paramGroups } from '../../src/optim/state-layout.js';

const layout = (hidden: number[], inputs = 784, classes = 10) => mlp(inputs, hidden, classes).layout;

describe('paramGroups', () => {
  it('puts each large tensor alone and runs of small ones together, covering the vector in order', () => {
    const names = (l: ParamLayout) => paramGroups(l).map((g) => g.tensors.map((i) => l.tensors[i].name).join('+'));
    expect(names(layout([128, 64]))).toEqual(['fc1.weight', 'fc1.bias+fc2.weight+fc2.bias+fc3.weight+fc3.bias']);
    expect(names(layout([512, 256]))).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias+fc3.weight+fc3.bias']);
    expect(names(layout([8], 16, 3))).toEqual(['fc1.weight+fc1.bias+fc2.weight+fc2.bias']);
    for (const l of [layout([128, 64]), layout([512, 256])]) {
      let next = 0;
      for (const g of paramGroups(l)) {
        expect(g.offset).toBe(next);
        expect(g.size).toBe(g.tensors.reduce((s, i) => s + l.tensors[i].size, 0));
        next += g.size;
      }
      expect(next).toBe(l.total);
    }
  });

  it('groups only for one thread: with a pool, one flat group is faster', () => {
    expect(loopGroups(layout([128, 64]), 1)).toHaveLength(2);
    expect(loopGroups(layout([128, 64]), 2)).toHaveLength(1);
  });
});
