// The pieces around the MLP: input scaling and normalization from primitive ops (no
// rules of their own), and the loss as ONNX's fused SoftmaxCrossEntropyLoss, whose
// gradient rule is a few ops where the primitive composite costs about twenty per step.
import type { Value } from '../graph/graph.js';
import { cast, div, mul, softmaxCrossEntropyLoss, sub } from '../graph/ops.js';

/** (x - mean) / std, as torchvision's Normalize, on pixels already in [0, 1]. */
export const normalize = (x01: Value, stats: { mean: number; std: number }) => div(sub(x01, stats.mean), stats.std);

/** uint8 pixels to [0, 1], as torchvision's ToTensor (x / 255). */
export const toUnit = (u8: Value) => div(cast(u8, 'float'), 255);

/** ToTensor then Normalize in two passes: x * (1 / (255 std)) - mean / std. */
export const normalizeBytes = (u8: Value, stats: { mean: number; std: number }) =>
  sub(mul(cast(u8, 'float'), 1 / (255 * stats.std)), stats.mean / stats.std);

/** Mean cross-entropy of logits [N, C] against integer labels [N] (int32 or int64). */
export const crossEntropy = (logits: Value, labels: Value) => softmaxCrossEntropyLoss(logits, labels)[0];
