// report.html: one self-contained page. Charts arrive as SVG markup (render.ts) and
// images as data: URIs, so the file opens from disk and fetches nothing; its
// Content-Security-Policy forbids every request, should anything try.
import type { EpochRow } from './curves.js';
import { macroAverage, type EvalJson } from './metrics.js';
import { REPORT_CSS } from './style.js';

export interface ReportMistake {
  /** Position in the test split. */
  index: number;
  truth: string;
  predicted: string;
  confidence: number;
  /** A data: URI of the 28x28 image. */
  src: string;
}

export interface ReportInput {
  /** The model file's name, for the title. */
  modelName: string;
  /** Label -> value lines under the title (model path, data, training settings, ...). */
  facts: [string, string][];
  evaluation: EvalJson;
  /** SVG markup of each chart; null where there was nothing to draw. */
  charts: { confusion: string; perClass: string; errors: string; loss: string | null; accuracy: string | null };
  epochs: EpochRow[];
  mistakes: ReportMistake[];
  /** Things the reader should know (a log that was left out, ...). */
  notes: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function reportHtml(r: ReportInput): string {
  const ev = r.evaluation;
  const errors = ev.count - ev.confusion.reduce((a, row, i) => a + row[i], 0);
  const macro = macroAverage(ev.per_class);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evaluation of ${escapeHtml(r.modelName)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
  <h1>Evaluation of <code>${escapeHtml(r.modelName)}</code></h1>
  <dl class="facts">${r.facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
</header>
<section class="stats" aria-label="summary">
  ${stat('test accuracy', pct(ev.accuracy), 'accuracy')}
  ${stat('test images', ev.count.toLocaleString('en-US'), 'count')}
  ${stat('mistakes', errors.toLocaleString('en-US'), 'errors')}
  ${stat('macro F1', macro.f1.toFixed(4), 'macro-f1')}
</section>
${r.notes.length ? `<aside class="notes">${r.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</aside>` : ''}
<main>
<section class="card" id="confusion-section">
  <h2>Confusion matrix</h2>
  <p class="hint">Rows: the true label; columns: the model's answer. The diagonal holds the right answers; every other cell counts one kind of mistake.</p>
  <figure id="confusion">${r.charts.confusion}</figure>
  ${classTable(ev)}
</section>
<section class="card" id="per-class">
  <h2>Per class</h2>
  <figure id="per-class-scores">${r.charts.perClass}</figure>
  <p class="hint">Mistakes counted from both sides. <b>missed</b>: images of the class given another label (recall is the share not missed); <b>false alarm</b>: images of other classes given this label (precision is the share of this label's answers that are no false alarm).</p>
  <figure id="per-class-errors">${r.charts.errors}</figure>
</section>
<section class="card wide" id="training">
  <h2>Training</h2>
  ${trainingCurves(r)}
</section>
<section class="card wide" id="mistakes">
  <h2>Most confident mistakes</h2>
  ${mistakeGrid(r.mistakes)}
</section>
</main>
</body>
</html>
`;
}

const stat = (label: string, value: string, id: string) =>
  `<div class="stat" data-testid="${id}"><span class="value">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></div>`;

function classTable(ev: EvalJson): string {
  const rows = ev.per_class.map((c) =>
    `<tr><th scope="row">${escapeHtml(c.label)}</th><td>${c.precision.toFixed(4)}</td><td>${c.recall.toFixed(4)}</td><td>${c.f1.toFixed(4)}</td><td>${c.support}</td></tr>`);
  return `<table class="classes"><thead><tr><th scope="col">class</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">F1</th><th scope="col">support</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>`;
}

function trainingCurves(r: ReportInput): string {
  const { loss, accuracy } = r.charts;
  if (!loss && !accuracy) return '<p class="empty">The model carries no training history (no <code>training</code> metadata), so there are no curves to draw.</p>';
  const source = r.epochs.some((e) => e.testLoss !== undefined) ? 'the model\'s <code>training</code> metadata and <code>train-log.jsonl</code>' : 'the model\'s <code>training</code> metadata';
  return `<p class="hint">Per epoch, from ${source}.</p>
  <div class="row">${loss ? `<figure id="loss-curve">${loss}</figure>` : ''}${accuracy ? `<figure id="accuracy-curve">${accuracy}</figure>` : ''}</div>`;
}

/** Rounded down: a wrong answer at p = 0.99996 reads 99.9%, never a 100% that was not. */
const sure = (p: number) => `${(Math.floor(p * 1000) / 10).toFixed(1)}%`;

function mistakeGrid(mistakes: ReportMistake[]): string {
  if (mistakes.length === 0) return '<p class="empty">No mistakes: every test image was labelled right.</p>';
  const tiles = mistakes.map((m) => `<figure class="mistake" title="test image #${m.index}: probability ${m.confidence.toPrecision(6)} for ${escapeHtml(m.predicted)}">
    <img src="${m.src}" width="84" height="84" alt="test image ${m.index}: a ${escapeHtml(m.truth)} the model read as ${escapeHtml(m.predicted)}">
    <figcaption><span class="truth">true ${escapeHtml(m.truth)}</span> <span class="pred">→ ${escapeHtml(m.predicted)}</span><span class="conf">${sure(m.confidence)} · #${m.index}</span></figcaption>
  </figure>`);
  return `<p class="hint">The ${mistakes.length} wrong answers the model was surest of, most confident first: each image as it is in the test set (28x28, enlarged), its true label → the model's answer, the probability the model gave that answer, and the image's index in the test set.</p>
  <div class="grid">${tiles.join('\n')}</div>`;
}
