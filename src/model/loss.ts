// The training objective. ONNX's fused SoftmaxCrossEntropyLoss has a gradient rule of a
// few ops, where the same loss from primitives costs about twenty per step.
import type { Value } from '../graph/graph.js';
import { softmaxCrossEntropyLoss } from '../graph/ops.js';

/** Mean cross-entropy of logits [N, C] against integer labels [N] (int32 or int64). */
export const crossEntropy = (logits: Value, labels: Value) => softmaxCrossEntropyLoss(logits, labels)[0];
