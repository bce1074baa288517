// The Optimizer seam. An optimizer names the state it keeps per parameter (its slots,
// as PyTorch's optimizer.state names them), the scalars that depend only on the step
// number (computed once per chunk of steps, outside the Loop body), and its elementwise
// update. Programs carry the slots as named records; how an optimizer stores them
// (scaled, for fewer passes) is its own business, stated by each slot's `scale`.
import type { Value } from '../graph/graph.js';

export interface Slot {
  /** PyTorch's name: exp_avg, exp_avg_sq, momentum_buffer. */
  name: string;
  /** Input name in train-step.onnx (its output is `${io}_out`): the documented contract. */
  io: string;
  /** PyTorch's value = stored value x scale (1 when stored as PyTorch keeps it). */
  scale: number;
}

export type Scalars = Readonly<Record<string, Value>>;
export type SlotValues = Readonly<Record<string, Value>>;

export interface Optimizer {
  /** CLI name and train-step.onnx metadata key: 'adam'. */
  readonly id: string;
  /** PyTorch's class name, as the artifact's hyperparameters record it: 'Adam'. */
  readonly name: string;
  /** Its settings (lr, betas, ...), JSON-able. */
  readonly hyper: Readonly<Record<string, number>>;
  readonly slots: readonly Slot[];
  /**
   * The per-step scalars for 1-based step numbers `t` (float64, a scalar or a vector
   * of a chunk's steps): float32 values of t's shape, keyed by name. {} when none.
   */
  scalars(t: Value): Scalars;
  /**
   * The same scalars computed in JavaScript (float64, then rounded to float32 by the
   * caller), for programs on providers without float64 (WebGPU): step number t, 1-based.
   */
  scalarValues(t: number): Readonly<Record<string, number>>;
  /** One step over a flat group of parameters: its gradient, its stored slots, that step's scalars. */
  update(param: Value, grad: Value, slots: SlotValues, scalars: Scalars): { param: Value; slots: SlotValues };
}
