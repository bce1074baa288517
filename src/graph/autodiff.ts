// Reverse-mode differentiation over a built graph: walk the nodes that lie between
// the wanted values and the loss, last to first, applying each op's rule.
import type { Node, Value } from './graph.js';
import { GRAD_RULES, NO_RULE, NONDIFF, type GradEntry } from './grad-rules.js';
import { add } from './ops.js';
import { isFloating } from './types.js';

/**
 * d(loss)/d(wrt) for each wrt value, built as ops in the loss's graph.
 * `seed` is d(final)/d(loss) (default 1, for a scalar loss).
 */
export function gradients(loss: Value, wrt: Value[], seed?: Value): Value[] {
  const g = loss.graph;
  // Only values that depend on a wanted one need gradients; this prunes e.g. dx of the input pixels.
  const live = new Set(wrt.map((w) => w.name));
  for (const n of g.nodes) if (n.inputs.some((i) => i && live.has(i.name))) for (const o of n.outputs) live.add(o.name);
  if (!live.has(loss.name)) throw new Error(`${loss.name} does not depend on any of ${wrt.map((w) => w.name)}`);

  const pending = new Map<string, Value[]>();
  const push = (v: Value, d: Value) => pending.set(v.name, [...(pending.get(v.name) ?? []), d]);
  const total = (v: Value): Value | undefined => {
    const parts = pending.get(v.name);
    if (!parts) return undefined;
    const sum = parts.reduce((a, b) => add(a, b));
    pending.set(v.name, [sum]);
    return sum;
  };
  push(loss, seed ?? g.constant(loss.dtype, 1));

  for (const node of [...g.nodes].reverse()) {
    const dys = node.outputs.map(total);
    if (dys.every((d) => !d)) continue;
    const wanted = node.inputs.map((i) => !!i && live.has(i.name) && isFloating(i.dtype));
    if (!wanted.some(Boolean)) continue;
    const dxs = ruleFor(node)(node.inputs, dys as Value[], { attrs: node.attrs, outputs: node.outputs });
    node.inputs.forEach((inp, k) => {
      const dx = dxs[k];
      if (inp && wanted[k] && dx) push(inp, dx);
    });
  }
  return wrt.map((w) => {
    const d = total(w);
    if (!d) throw new Error(`no gradient reaches ${w.name}`);
    return d;
  });
}

function ruleFor(node: Node) {
  const entry = (GRAD_RULES as Record<string, GradEntry>)[node.opType];
  if (entry === undefined) throw new Error(`no gradient entry for op ${node.opType}`);
  if (entry === NONDIFF) return () => [];
  if (entry === NO_RULE) throw new Error(`differentiating through ${node.opType} (${node.name}) is not supported`);
  return entry;
}
