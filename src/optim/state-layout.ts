// How the training Loop carries parameters and optimizer slots: as flat groups.
// Every Loop step would otherwise split one flat vector into tensors and concatenate
// the gradients back: two copies of all ~110k parameters. A large tensor is carried
// as a group of its own (no copy: a Reshape gives the layer its view), while
// consecutive small tensors share one group, so they share one set of elementwise
// optimizer ops (per-tensor chains of ten ops each cost more than the copies they save).
import type { Value } from '../graph/graph.js';
import { concat, reshape } from '../graph/ops.js';
import { unflatten, type ParamLayout } from '../model/model.js';

/** A contiguous run of the flat layout: offset and size in it, and the tensors it holds. */
export interface ParamGroup { offset: number; size: number; tensors: number[] }

/** Tensors of at least `ownFrom` elements stand alone; runs of smaller ones are grouped. */
export function paramGroups(layout: ParamLayout, ownFrom = 32_768): ParamGroup[] {
  const groups: ParamGroup[] = [];
  let run: ParamGroup | undefined;
  layout.tensors.forEach((t, i) => {
    if (t.size >= ownFrom) {
      groups.push({ offset: t.offset, size: t.size, tensors: [i] });
      run = undefined;
    } else if (run) {
      run.size += t.size;
      run.tensors.push(i);
    } else groups.push((run = { offset: t.offset, size: t.size, tensors: [i] }));
  });
  return groups;
}

/** The whole vector as one group (the single-step model keeps its documented flat state). */
export const oneGroup = (layout: ParamLayout): ParamGroup[] => [{ offset: 0, size: layout.total, tensors: layout.tensors.map((_, i) => i) }];

/**
 * The grouping for a Loop on `threads` intra-op threads. Measured (BENCHMARKS.md): with
 * one thread, groups save ~3% per epoch (no Split/Concat of fc1.weight); with a pool,
 * each extra elementwise op is a parallel section and the small group's ten cost ~4%
 * instead. Same numbers either way: the update is elementwise.
 */
export const loopGroups = (layout: ParamLayout, threads: number): ParamGroup[] =>
  threads === 1 ? paramGroups(layout) : oneGroup(layout);

function groupLayout(layout: ParamLayout, g: ParamGroup): ParamLayout {
  const tensors = g.tensors.map((i) => ({ ...layout.tensors[i], offset: layout.tensors[i].offset - g.offset }));
  return { tensors, total: g.size };
}

/** Per-tensor values, in layout order, from one flat value per group. */
export function groupViews(values: readonly Value[], groups: ParamGroup[], layout: ParamLayout): Value[] {
  return groups.flatMap((g, k) => unflatten(values[k], groupLayout(layout, g)));
}

/** One flat gradient per group from per-tensor gradients in layout order. */
export function groupGradients(grads: Value[], groups: ParamGroup[], layout: ParamLayout): Value[] {
  return groups.map((g) => {
    const flat = g.tensors.map((i) => (layout.tensors[i].shape.length === 1 ? grads[i] : reshape(grads[i], [-1], [layout.tensors[i].size])));
    return flat.length === 1 ? flat[0] : concat(flat, 0);
  });
}
