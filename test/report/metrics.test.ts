// The eval.json numbers on confusion matrices small enough to check by hand.
import { describe, expect, it } from 'vitest';
import { confusionMatrix, evalMetrics, macroAverage } from '../../src/report/metrics.js';
import { confidentMistakes } from '../../src/report/mistakes.js';

describe('confusionMatrix', () => {
  it('counts (true, predicted) pairs: rows true, columns predicted', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
  });

  it('refuses lists of different lengths and labels outside the classes', () => {
    expect(() => confusionMatrix([0, 1], [0], 3)).toThrow('2 true labels but 1 predictions');
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow('true label 3 at index 1 is not a class 0..2');
    expect(() => confusionMatrix([0, 1], [0, 1.5], 3)).toThrow('predicted label 1.5 at index 1');
  });
});

describe('evalMetrics (the eval.json contract)', () => {
  // Class a: 5 right, 1 read as b. Class b: 3 right, 2 read as a. Class c: 2 images, both read as a;
  // nothing is ever predicted c.
  const confusion = [
    [5, 1, 0],
    [2, 3, 0],
    [2, 0, 0],
  ];
  const ev = evalMetrics(confusion, ['a', 'b', 'c']);

  it('has exactly the contract\'s keys, in its order', () => {
    expect(Object.keys(ev)).toEqual(['accuracy', 'count', 'confusion', 'per_class']);
    expect(Object.keys(ev.per_class[0])).toEqual(['label', 'precision', 'recall', 'f1', 'support']);
    expect(ev.confusion).toEqual(confusion);
  });

  it('accuracy is the diagonal over the count, as a fraction', () => {
    expect(ev.count).toBe(13);
    expect(ev.accuracy).toBeCloseTo(8 / 13, 15);
  });

  it('precision from the columns, recall from the rows, F1 their harmonic mean', () => {
    const [a, b] = ev.per_class;
    // a: predicted 9 times (5+2+2), right 5; 6 true a's.
    expect(a).toEqual({ label: 'a', precision: 5 / 9, recall: 5 / 6, f1: expect.closeTo((2 * (5 / 9) * (5 / 6)) / (5 / 9 + 5 / 6), 15), support: 6 });
    // b: predicted 4 times, right 3; 5 true b's.
    expect(b.precision).toBeCloseTo(3 / 4, 15);
    expect(b.recall).toBeCloseTo(3 / 5, 15);
    expect(b.f1).toBeCloseTo(2 / 3, 15); // 2*0.75*0.6/1.35
    expect(b.support).toBe(5);
  });

  it('a class that is never predicted has precision 0 (and F1 0), not NaN', () => {
    expect(ev.per_class[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
  });

  it('a class with no test images and no predictions scores 0 everywhere; the others are unaffected', () => {
    const m = evalMetrics([[4, 1], [0, 0]], ['x', 'y']);
    expect(m.per_class[1]).toEqual({ label: 'y', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.per_class[0]).toEqual({ label: 'x', precision: 1, recall: 0.8, f1: expect.closeTo(2 * 0.8 / 1.8, 15), support: 5 });
  });

  it('a perfect diagonal scores 1 everywhere', () => {
    const m = evalMetrics([[3, 0], [0, 7]], ['0', '1']);
    expect(m.accuracy).toBe(1);
    for (const c of m.per_class) expect([c.precision, c.recall, c.f1]).toEqual([1, 1, 1]);
  });

  it('an empty evaluation has accuracy 0, not NaN', () => {
    expect(evalMetrics([[0, 0], [0, 0]], ['0', '1']).accuracy).toBe(0);
  });

  it('refuses a matrix that is not square, counts that are not counts, or the wrong number of labels', () => {
    expect(() => evalMetrics([[1, 2], [3]], ['a', 'b'])).toThrow(/2 columns per row/);
    expect(() => evalMetrics([[1, 0], [0, 1]], ['a'])).toThrow(/2 labels \(got 1\)/);
    expect(() => evalMetrics([[1, -1], [0, 1]], ['a', 'b'])).toThrow(/non-negative integers/);
  });

  it('macro averages are the plain means over classes', () => {
    const m = macroAverage(ev.per_class);
    expect(m.precision).toBeCloseTo((5 / 9 + 3 / 4 + 0) / 3, 15);
    expect(m.recall).toBeCloseTo((5 / 6 + 3 / 5 + 0) / 3, 15);
  });
});

describe('confidentMistakes', () => {
  const truth = [0, 1, 2, 1, 0];
  const predicted = [0, 2, 0, 0, 1];
  // Rows of probabilities over 3 classes; the mistakes are images 1 (p 0.6), 2 (p 0.9), 3 (p 0.6), 4 (p 0.5).
  const probs = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.2, 0.6, 0.9, 0.05, 0.05, 0.6, 0.3, 0.1, 0.3, 0.5, 0.2]);

  it('ranks wrong answers by the probability of the wrong label, ties by index, and leaves out the right ones', () => {
    expect(confidentMistakes(truth, predicted, probs, 3, 10).map((m) => m.index)).toEqual([2, 1, 3, 4]);
    expect(confidentMistakes(truth, predicted, probs, 3, 2)).toEqual([
      { index: 2, truth: 2, predicted: 0, confidence: expect.closeTo(0.9, 6) },
      { index: 1, truth: 1, predicted: 2, confidence: expect.closeTo(0.6, 6) },
    ]);
  });

  it('is empty when every answer is right, and refuses mismatched lengths', () => {
    expect(confidentMistakes([0, 1], [0, 1], Float32Array.from([1, 0, 0, 1]), 2, 5)).toEqual([]);
    expect(() => confidentMistakes([0, 1], [0], Float32Array.from([1, 0, 0, 1]), 2, 5)).toThrow(/2 labels need 2 predictions/);
  });
});
