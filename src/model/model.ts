// The Model seam: what a program builder needs to know about a network. A model
// owns its parameters (names and shapes as PyTorch's state_dict has them, fan-in for
// the default init), their seeded initialization and its forward pass as graph ops.
// Programs (inference, training step, Loop, evaluation) take a Model and nothing else
// about the network, so a new layer or architecture is a new Model.
import type { Value } from '../graph/graph.js';
import { reshape, slice } from '../graph/ops.js';

export interface ParamSpec {
  /** As in PyTorch's state_dict: fc1.weight, fc1.bias, ... */
  name: string;
  shape: readonly number[];
  /** Inputs feeding each output unit: PyTorch's default init draws from U(±1/sqrt(fanIn)). */
  fanIn: number;
}

/** A parameter's place in the flat vector the training programs carry (row-major, in order). */
export interface ParamSlot extends ParamSpec { offset: number; size: number }
export interface ParamLayout { tensors: readonly ParamSlot[]; total: number }

export interface ForwardOptions {
  /** Training mode (dropout, batch statistics, ...); inference and evaluation pass false. */
  training: boolean;
}

export interface Model {
  /** What it is, for logs and metadata: 'mlp'. */
  readonly kind: string;
  /** Features per example: forward takes normalized x of shape [N, inputSize]. */
  readonly inputSize: number;
  readonly classes: number;
  readonly layout: ParamLayout;
  /** Its hyperparameters, JSON-able (the artifact's metadata records them). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Fresh parameters in layout order, drawn from `rand` (same seed, same weights). */
  init(rand: () => number): Float32Array;
  /** Logits [N, classes] from x and one value per parameter, in layout order. */
  forward(x: Value, params: readonly Value[], opts: ForwardOptions): Value;
}

export function flatLayout(specs: readonly ParamSpec[]): ParamLayout {
  let offset = 0;
  const tensors = specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const slot = { ...s, offset, size };
    offset += size;
    return slot;
  });
  return { tensors, total: offset };
}

/** PyTorch's default for nn.Linear (and nn.Conv*): every tensor U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function uniformFanIn(layout: ParamLayout, rand: () => number): Float32Array {
  const p = new Float32Array(layout.total);
  for (const t of layout.tensors) {
    const bound = 1 / Math.sqrt(t.fanIn);
    for (let i = 0; i < t.size; i++) p[t.offset + i] = (rand() * 2 - 1) * bound;
  }
  return p;
}

/** Per-tensor views of a flat vector holding `layout`, as graph values. */
export function unflatten(flat: Value, layout: ParamLayout): Value[] {
  const c = (n: number) => flat.graph.constant('int64', [n]);
  return layout.tensors.map((t) => {
    // A vector that is exactly one tensor needs no Slice (a copy in ORT), only its shape.
    const part = t.size === layout.total ? flat : slice(flat, c(t.offset), c(t.offset + t.size), [0], [t.size]);
    return t.shape.length === 1 ? part : reshape(part, t.shape);
  });
}
