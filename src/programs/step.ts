// One training step as graph ops, shared by train-step.onnx and the Loop body:
// forward in training mode, loss, gradients, and the optimizer's update of every group.
import { gradients } from '../graph/autodiff.js';
import type { Value } from '../graph/graph.js';
import { crossEntropy } from '../model/loss.js';
import type { Model } from '../model/model.js';
import type { Optimizer, Scalars } from '../optim/optimizer.js';
import { groupGradients, groupViews, type ParamGroup } from '../optim/state-layout.js';

/** Parameters and optimizer slots, one flat value per group (see state-layout.ts). */
export interface GroupedState { params: Value[]; slots: Record<string, Value[]> }

/**
 * What a step minimizes, given the logits: the loss, and optionally its gradient with
 * respect to the logits (then autodiff starts there instead of at the loss).
 */
export type Objective = (logits: Value) => { loss: Value; dLogits?: Value };

/** The fused loss op against integer labels [N]: the Loop and train-step.onnx. */
export const againstLabels = (labels: Value): Objective => (logits) => ({ loss: crossEntropy(logits, labels) });

/** The state after one step on a normalized batch x [N, inputs], and the batch's loss before it. */
export function trainStep(
  model: Model, opt: Optimizer, groups: ParamGroup[], s: GroupedState, x: Value, objective: Objective, scalars: Scalars,
): GroupedState & { loss: Value } {
  const params = groupViews(s.params, groups, model.layout);
  const logits = model.forward(x, params, { training: true });
  const { loss, dLogits } = objective(logits);
  const grads = groupGradients(dLogits ? gradients(logits, params, dLogits) : gradients(loss, params), groups, model.layout);
  const updates = groups.map((_, k) => {
    const slots = Object.fromEntries(opt.slots.map(({ name }) => [name, s.slots[name][k]]));
    return opt.update(s.params[k], grads[k], slots, scalars);
  });
  return {
    params: updates.map((u) => u.param),
    slots: Object.fromEntries(opt.slots.map(({ name }) => [name, updates.map((u) => u.slots[name])])),
    loss,
  };
}
