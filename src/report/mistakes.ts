// Which test images to show as "the model's most confident mistakes": wrong answers
// ranked by the probability the model gave its (wrong) label.

export interface Mistake {
  /** Position in the test split. */
  index: number;
  truth: number;
  predicted: number;
  /** The probability of the predicted class. */
  confidence: number;
}

/**
 * The `limit` wrong predictions with the highest confidence, most confident first
 * (ties: lower index first, so the choice is deterministic). `probabilities` is
 * row-major [n, classes].
 */
export function confidentMistakes(
  truth: ArrayLike<number>, predicted: ArrayLike<number>, probabilities: Float32Array, classes: number, limit: number,
): Mistake[] {
  const n = truth.length;
  if (predicted.length !== n || probabilities.length !== n * classes) {
    throw new Error(`${n} labels need ${n} predictions and ${n * classes} probabilities (got ${predicted.length} and ${probabilities.length})`);
  }
  const wrong: Mistake[] = [];
  for (let i = 0; i < n; i++) {
    if (truth[i] !== predicted[i]) wrong.push({ index: i, truth: truth[i], predicted: predicted[i], confidence: probabilities[i * classes + predicted[i]] });
  }
  return wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, limit);
}
