// Static shape arithmetic: enough inference for gradient rules to know which axes
// a broadcast added, so they can sum them back out.
import type { Dim, Shape } from './types.js';

export function broadcast(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a || !b) return undefined;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else if (typeof da === 'string') out.push(db);
    else if (typeof db === 'string') out.push(da);
    else throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export function reduced(shape: Shape | undefined, axes: readonly number[] | undefined, keep: boolean): Shape | undefined {
  if (!shape) return undefined;
  const all = axes === undefined || axes.length === 0;
  const set = new Set((axes ?? []).map((a) => normAxis(a, shape.length)));
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (all || set.has(i)) {
      if (keep) out.push(1);
    } else out.push(d);
  });
  return out;
}

/**
 * The axes of `out` that broadcasting added or stretched relative to `inp`
 * (right-aligned), i.e. the axes a gradient must be summed over.
 */
export function broadcastAxes(inp: Shape, out: Shape): number[] {
  const axes: number[] = [];
  const lead = out.length - inp.length;
  for (let i = 0; i < out.length; i++) {
    if (i < lead) axes.push(i);
    else if (inp[i - lead] === 1 && out[i] !== 1) axes.push(i);
  }
  return axes;
}

export function numel(shape: Shape): number {
  return shape.reduce<number>((n, d) => {
    if (typeof d !== 'number') throw new Error(`shape [${shape}] is not static`);
    return n * d;
  }, 1);
}

export const sameShape = (a: Shape | undefined, b: Shape | undefined): boolean =>
  !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
