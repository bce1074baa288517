// Nested records of values, flattened to the positional lists ONNX speaks (a Loop's
// carried values, a graph's outputs) and rebuilt on the other side, so programs
// name their state ({ params, slots: { exp_avg } }) instead of indexing into a list.
import type { Value } from './graph.js';
import { loop } from './ops.js';

export type Tree = Value | readonly Tree[] | { readonly [key: string]: Tree };

const isValue = (t: Tree): t is Value => typeof (t as Value).graph === 'object' && typeof (t as Value).name === 'string';

/** The values of `tree`, depth first, in the key order of `like` (a tree of the same structure). */
export function leaves(tree: Tree, like: Tree = tree): Value[] {
  if (isValue(like)) return [tree as Value];
  if (Array.isArray(like)) {
    const list = tree as readonly Tree[];
    if (list.length !== like.length) throw new Error(`tree: ${like.length} entries expected, got ${list.length}`);
    return like.flatMap((l, i) => leaves(list[i], l));
  }
  const rec = tree as Record<string, Tree>;
  return Object.keys(like).flatMap((k) => {
    if (!(k in rec)) throw new Error(`tree: missing entry "${k}"`);
    return leaves(rec[k], (like as Record<string, Tree>)[k]);
  });
}

/** A tree shaped like `like` whose values are taken from `values` in leaves() order. */
export function rebuild<T extends Tree>(like: T, values: readonly Value[]): T {
  let next = 0;
  const walk = (l: Tree): Tree => {
    if (isValue(l)) return values[next++];
    if (Array.isArray(l)) return l.map(walk);
    return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, walk(v)]));
  };
  const out = walk(like) as T;
  if (next !== values.length) throw new Error(`tree: ${next} values expected, got ${values.length}`);
  return out;
}

/** ONNX Loop over a tree of carried values: `step` gets and returns the same structure. */
export function loopTree<T extends Tree>(
  trip: Value, init: T, step: (iter: Value, state: T) => { next: T; scan?: Value[] },
): { final: T; scan: Value[] } {
  const n = leaves(init).length;
  const out = loop(trip, leaves(init), (iter, carried) => {
    const r = step(iter, rebuild(init, carried));
    return { next: leaves(r.next, init), scan: r.scan };
  });
  return { final: rebuild(init, out.slice(0, n)), scan: out.slice(n) };
}
