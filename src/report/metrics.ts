// Classification metrics of an evaluation, as `eval.json` states them (issue 11's
// contract): confusion rows are the true label, columns the predicted one. Pure and
// browser-safe: counts in, numbers out.

/** One class's row of `per_class`. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Test images whose true label is this class. */
  support: number;
}

/** `eval.json`, exactly: tests outside the repository read these keys. */
export interface EvalJson {
  /** A fraction, not a percentage. */
  accuracy: number;
  count: number;
  confusion: number[][];
  per_class: ClassMetrics[];
}

/** Counts of (true, predicted) pairs; both lists hold class indices 0..classes-1. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} true labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!isClass(t, classes)) throw new Error(`true label ${t} at index ${i} is not a class 0..${classes - 1}`);
    if (!isClass(p, classes)) throw new Error(`predicted label ${p} at index ${i} is not a class 0..${classes - 1}`);
    m[t][p]++;
  }
  return m;
}

const isClass = (x: number, classes: number) => Number.isInteger(x) && x >= 0 && x < classes;

/** Division where an empty denominator means 0, as scikit-learn's zero_division=0. */
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/**
 * Accuracy and per-class precision, recall and F1 of a square confusion matrix.
 * NOTE: a class that is never predicted has precision 0 (not NaN, not 1), and one that
 * never occurs has recall 0: the contract says so, and JSON has no NaN.
 */
export function evalMetrics(confusion: readonly (readonly number[])[], labels: readonly string[]): EvalJson {
  const k = confusion.length;
  if (labels.length !== k || confusion.some((row) => row.length !== k)) {
    throw new Error(`a ${k}-row confusion matrix needs ${k} columns per row and ${k} labels (got ${labels.length})`);
  }
  if (confusion.some((row) => row.some((c) => !Number.isInteger(c) || c < 0))) throw new Error('confusion counts must be non-negative integers');
  const support = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = labels.map((_, j) => confusion.reduce((a, row) => a + row[j], 0));
  const count = support.reduce((a, b) => a + b, 0);
  const hits = confusion.reduce((a, row, i) => a + row[i], 0);
  return {
    accuracy: ratio(hits, count),
    count,
    confusion: confusion.map((row) => [...row]),
    per_class: labels.map((label, i) => {
      const precision = ratio(confusion[i][i], predicted[i]);
      const recall = ratio(confusion[i][i], support[i]);
      return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: support[i] };
    }),
  };
}

/** Unweighted means over the classes (scikit-learn's "macro avg"), for the summary line. */
export function macroAverage(perClass: readonly ClassMetrics[]): { precision: number; recall: number; f1: number } {
  const mean = (key: 'precision' | 'recall' | 'f1') => ratio(perClass.reduce((a, c) => a + c[key], 0), perClass.length);
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
}
