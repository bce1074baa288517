// The evaluation as terminal text: accuracy, per-class scores and the confusion
// matrix, in aligned columns (fixed-width, so it also reads in a CI log).
import { macroAverage, type EvalJson } from './metrics.js';

/** Aligned columns: `align` gives 'l' or 'r' per column (default: the first left, numbers right). */
export function columns(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const cell = (c: string, j: number) => ((align[j] ?? (j === 0 ? 'l' : 'r')) === 'l' ? c.padEnd(widths[j]) : c.padStart(widths[j]));
  return rows.map((r) => r.map(cell).join('  ').trimEnd()).join('\n');
}

export function evalTable(ev: EvalJson): string {
  const hits = ev.confusion.reduce((a, row, i) => a + row[i], 0);
  const f = (x: number) => x.toFixed(4);
  const macro = macroAverage(ev.per_class);
  const scores = columns([
    ['class', 'precision', 'recall', 'f1', 'support'],
    ...ev.per_class.map((c) => [c.label, f(c.precision), f(c.recall), f(c.f1), String(c.support)]),
    ['macro avg', f(macro.precision), f(macro.recall), f(macro.f1), String(ev.count)],
  ]);
  const labels = ev.per_class.map((c) => c.label);
  const matrix = columns([['true \\ predicted', ...labels], ...ev.confusion.map((row, i) => [labels[i], ...row.map(String)])]);
  return [
    `test accuracy: ${(ev.accuracy * 100).toFixed(2)}% (${hits} of ${ev.count})`, '',
    scores, '',
    'confusion matrix (rows: true label, columns: predicted label)', matrix,
  ].join('\n');
}
