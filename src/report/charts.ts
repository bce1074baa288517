// The report's plots as Vega-Lite specifications: data in, a declarative chart out.
// render.ts turns each into inline SVG when the report is written.
import type { TopLevelSpec } from 'vega-lite';
import type { EpochRow } from './curves.js';
import type { EvalJson } from './metrics.js';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 600, titleColor: '#334155', labelColor: '#475569', gridColor: '#e2e8f0', domainColor: '#94a3b8', tickColor: '#94a3b8' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'bottom', direction: 'horizontal' },
} as const;
const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', padding: 8, config: CONFIG } as const;
/** Three distinct, colour-blind-safe hues (Tableau 10's first ones). */
const METRIC_COLORS = { precision: '#4e79a7', recall: '#f28e2b', F1: '#59a14f' };

/** Rows are the true label, columns the prediction; one cell per pair (100 for 10 classes), labelled with its count. */
export function confusionSpec(ev: EvalJson): TopLevelSpec {
  const labels = ev.per_class.map((c) => c.label);
  const values = ev.confusion.flatMap((row, t) => row.map((count, p) => ({
    truth: labels[t], predicted: labels[p], count, share: ev.per_class[t].support ? count / ev.per_class[t].support : 0,
  })));
  const axis = (title: string) => ({ field: title === 'true label' ? 'truth' : 'predicted', type: 'ordinal' as const, sort: labels, title, axis: { labelAngle: 0, domain: false, ticks: false } });
  return {
    ...base, width: 440, height: 440, data: { values },
    encoding: { x: { ...axis('predicted label'), axis: { ...axis('').axis, orient: 'top' } }, y: axis('true label') },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5, cornerRadius: 2 },
        // NOTE: symlog, not linear: the diagonal holds ~1,000 per cell and the mistakes a handful; linear would paint every mistake white.
        encoding: {
          // No legend: every cell prints its count. Empty cells stay near-white.
          color: { condition: { test: 'datum.count === 0', value: '#f8fafc' }, field: 'count', type: 'quantitative', scale: { type: 'symlog', scheme: 'blues' }, legend: null },
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#1e293b' },
          opacity: { condition: { test: 'datum.count === 0', value: 0.35 }, value: 1 },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Precision, recall and F1 per class, side by side. The axis starts near the lowest score (it says so) so that differences show. */
export function perClassSpec(ev: EvalJson): TopLevelSpec {
  const values = ev.per_class.flatMap((c) => [
    { label: c.label, metric: 'precision', value: c.precision },
    { label: c.label, metric: 'recall', value: c.recall },
    { label: c.label, metric: 'F1', value: c.f1 },
  ]);
  const low = Math.max(0, Math.floor((Math.min(...values.map((v) => v.value)) - 0.01) * 20) / 20);
  return {
    ...base, width: 460, height: 260, data: { values },
    mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: ev.per_class.map((c) => c.label), title: 'class', axis: { labelAngle: 0 } },
      xOffset: { field: 'metric', sort: Object.keys(METRIC_COLORS) },
      y: { field: 'value', type: 'quantitative', scale: { domain: [low, 1], zero: false }, title: low > 0 ? `score (axis from ${low.toFixed(2)})` : 'score', axis: { format: '.2f' } },
      // NOTE: without y2 the bars grow from 0, far below the axis, and the chart's size follows them.
      y2: { datum: low },
      color: { field: 'metric', sort: Object.keys(METRIC_COLORS), scale: { domain: Object.keys(METRIC_COLORS), range: Object.values(METRIC_COLORS) }, title: null },
    },
  } as TopLevelSpec;
}

/** Each class's mistakes from both sides: its images labelled as something else (missed), and other images labelled as it (false alarm). */
export function errorsSpec(ev: EvalJson): TopLevelSpec {
  const kinds = ['missed', 'false alarm'];
  const values = ev.per_class.flatMap((c, i) => {
    const predicted = ev.confusion.reduce((a, row) => a + row[i], 0);
    return [
      { label: c.label, kind: kinds[0], count: c.support - ev.confusion[i][i] },
      { label: c.label, kind: kinds[1], count: predicted - ev.confusion[i][i] },
    ];
  });
  return {
    ...base, width: 460, height: 220, data: { values },
    mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: ev.per_class.map((c) => c.label), title: 'class', axis: { labelAngle: 0 } },
      xOffset: { field: 'kind', sort: kinds },
      y: { field: 'count', type: 'quantitative', title: 'test images', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'kind', sort: kinds, scale: { domain: kinds, range: ['#e15759', '#b07aa1'] }, title: null },
    },
  } as TopLevelSpec;
}

const epochAxis = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } } as const;

/** Train and test loss per epoch; null without any loss to draw. */
export function lossSpec(epochs: readonly EpochRow[]): TopLevelSpec | null {
  const values = epochs.flatMap((e) => [
    ...(e.trainLoss === undefined ? [] : [{ epoch: e.epoch, series: 'train loss', value: e.trainLoss }]),
    ...(e.testLoss === undefined ? [] : [{ epoch: e.epoch, series: 'test loss', value: e.testLoss }]),
  ]);
  if (values.length === 0) return null;
  return {
    ...base, width: 470, height: 220, data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: epochAxis,
      y: { field: 'value', type: 'quantitative', title: 'mean cross-entropy', scale: { zero: false } },
      color: { field: 'series', sort: ['train loss', 'test loss'], scale: { range: ['#4e79a7', '#f28e2b'] }, title: null },
    },
  } as TopLevelSpec;
}

/** Test accuracy per epoch; null when no epoch has one. */
export function accuracySpec(epochs: readonly EpochRow[]): TopLevelSpec | null {
  const values = epochs.filter((e) => e.testAccuracy !== undefined).map((e) => ({ epoch: e.epoch, series: 'test accuracy', value: e.testAccuracy }));
  if (values.length === 0) return null;
  return {
    ...base, width: 470, height: 220, data: { values },
    mark: { type: 'line', point: { color: '#59a14f' }, strokeWidth: 2, color: '#59a14f' },
    encoding: {
      x: epochAxis,
      y: { field: 'value', type: 'quantitative', title: 'test accuracy', scale: { zero: false }, axis: { format: '.1%' } },
    },
  } as TopLevelSpec;
}
