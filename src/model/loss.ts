// The training objective. ONNX's fused SoftmaxCrossEntropyLoss has a gradient rule of a
// few ops, where the same loss from primitives costs about twenty per step.
import type { Value } from '../graph/graph.js';
import { div, exp, log, mul, reduceMax, reduceSum, softmax, softmaxCrossEntropyLoss, sub } from '../graph/ops.js';

/** Mean cross-entropy of logits [N, C] against integer labels [N] (int32 or int64). */
export const crossEntropy = (logits: Value, labels: Value) => softmaxCrossEntropyLoss(logits, labels)[0];

/**
 * Mean cross-entropy of logits [N, C] against one-hot targets [N, C] (float), and its
 * gradient with respect to the logits, (softmax - target) / N, from ops every provider
 * has: WebGPU has no SoftmaxCrossEntropyLoss kernel and no integer gathers.
 */
export function crossEntropyOneHot(logits: Value, target: Value): { loss: Value; dLogits: Value } {
  const n = reduceSum(target, undefined, 0); // each row sums to 1: the batch size, as a float
  const z = sub(logits, reduceMax(logits, [1], 1)); // shifted for a stable exp; no gradient flows here
  const perExample = sub(log(reduceSum(exp(z), [1], 1)), reduceSum(mul(target, z), [1], 1));
  return { loss: div(reduceSum(perExample, undefined, 0), n), dLogits: div(sub(softmax(logits, 1), target), n) };
}
