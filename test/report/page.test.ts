// The report's pieces without a browser: the Vega-Lite charts rendered to SVG in Node,
// the page around them, and the terminal table. (report.e2e.test.ts opens the page in Chromium.)
import { describe, expect, it } from 'vitest';
import { accuracySpec, confusionSpec, errorsSpec, lossSpec, perClassSpec } from '../../src/report/charts.js';
import { describeHyperparameters } from '../../src/report/facts.js';
import { reportHtml, type ReportInput } from '../../src/report/html.js';
import { evalMetrics } from '../../src/report/metrics.js';
import { renderSvg } from '../../src/report/render.js';
import { evalTable } from '../../src/report/table.js';

const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
// A deterministic matrix: diagonal 900+, a few mistakes, class 9 never predicted.
const confusion = LABELS.map((_, t) => LABELS.map((__, p) => (p === 9 ? 0 : t === p ? 900 + t : t === 9 ? 10 + p : (t + 2 * p) % 7 === 0 ? t + 1 : 0)));
const ev = evalMetrics(confusion, LABELS);
const EPOCHS = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 0.3 / epoch, testLoss: 0.2 / epoch, testAccuracy: 0.95 + epoch / 100 }));
const count = (svg: string, re: RegExp) => svg.match(re)?.length ?? 0;
const marks = (svg: string, kind: string) => count(svg, new RegExp(`aria-roledescription="${kind} mark"`, 'g'));
const bars = (svg: string) => count(svg, /aria-roledescription="bar"/g);

describe('charts (Vega-Lite rendered to SVG in Node)', () => {
  it('the heatmap has one cell per (true, predicted) pair, each labelled with its count', async () => {
    const svg = await renderSvg(confusionSpec(ev), 'confusion');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(marks(svg, 'rect')).toBe(100);
    expect(marks(svg, 'text')).toBe(100);
    expect(svg).toContain(`aria-label="predicted label: 0; true label: 9; count: ${confusion[9][0]}"`);
    expect(svg).toContain('aria-label="predicted label: 4; true label: 4; count: 904"');
  });

  it('per-class bars: precision, recall and F1 for each class; missed and false alarms for each class', async () => {
    expect(bars(await renderSvg(perClassSpec(ev), 'scores'))).toBe(30);
    const errors = await renderSvg(errorsSpec(ev), 'errors');
    expect(bars(errors)).toBe(20);
    // Class 9 is never predicted: all its 10+..+18 images are missed.
    expect(errors).toContain(`aria-label="class: 9; test images: ${confusion[9].reduce((a, b) => a + b, 0)}; kind: missed"`);
  });

  it('training curves: a line per series; nothing to draw gives no chart', async () => {
    const loss = await renderSvg(lossSpec(EPOCHS)!, 'loss');
    expect(marks(loss, 'line')).toBe(2);
    expect(marks(await renderSvg(accuracySpec(EPOCHS)!, 'accuracy'), 'line')).toBe(1);
    expect(lossSpec([{ epoch: 1, testAccuracy: 0.9 }])).toBeNull();
    expect(accuracySpec([])).toBeNull();
  });
});

async function page(overrides: Partial<ReportInput> = {}): Promise<string> {
  const charts = {
    confusion: await renderSvg(confusionSpec(ev), 'confusion'), perClass: await renderSvg(perClassSpec(ev), 'scores'), errors: await renderSvg(errorsSpec(ev), 'errors'),
    loss: await renderSvg(lossSpec(EPOCHS)!, 'loss'), accuracy: await renderSvg(accuracySpec(EPOCHS)!, 'accuracy'),
  };
  return reportHtml({
    modelName: 'mnist-mlp.onnx', facts: [['model', '/tmp/m.onnx']], evaluation: ev, charts, epochs: EPOCHS,
    mistakes: [{ index: 7, truth: '9', predicted: '4', confidence: 0.987, src: 'data:image/png;base64,AAAA' }], notes: [], ...overrides,
  });
}

describe('report.html', () => {
  it('loads nothing: no script, no external reference, a policy that forbids any request', async () => {
    const html = await page();
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;');
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)/i); // url(#id): the SVGs' own clip paths
    // Every src= is a data: URI; the only http(s) text is SVG's XML namespaces.
    expect([...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1].slice(0, 5))).toEqual(['data:']);
    expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:/);
  });

  it('every id is unique, across the five inline SVGs too, and every url(#id) finds its element', async () => {
    const html = await page();
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id) => id.startsWith('errors-clip')).length).toBeGreaterThan(0); // Vega's clip paths are in there
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...html.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(refs.filter((r) => !ids.includes(r))).toEqual([]);
  });

  it('escapes text from the model file (class names, metadata, notes)', async () => {
    const html = await page({
      facts: [['settings', '<img src=x onerror=alert(1)>']], notes: ['a "note" & <b>'],
      mistakes: [{ index: 1, truth: '<i>', predicted: 'x"y', confidence: 0.5, src: 'data:image/png;base64,AAAA' }],
    });
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('a &quot;note&quot; &amp; &lt;b&gt;');
    expect(html).toContain('true &lt;i&gt;');
    expect(html).not.toContain('<img src=x');
  });

  it('says so when there is no training history or no mistake', async () => {
    const html = await page({ charts: { confusion: '', perClass: '', errors: '', loss: null, accuracy: null }, epochs: [], mistakes: [] });
    expect(html).toContain('carries no training history');
    expect(html).toContain('No mistakes');
  });

  it('a mistake\'s confidence is rounded down: a wrong answer never reads 100%', async () => {
    const html = await page({ mistakes: [{ index: 3, truth: '5', predicted: '3', confidence: 0.99996, src: 'data:image/png;base64,AAAA' }] });
    expect(html).toContain('<span class="conf">99.9% · #3</span>');
    expect(html).toContain('title="test image #3: probability 0.999960 for 3"');
  });

  it('shows the summary numbers', async () => {
    const html = await page();
    const hits = confusion.reduce((a, row, i) => a + row[i], 0);
    expect(html).toContain(`<span class="value">${(ev.accuracy * 100).toFixed(2)}%</span>`);
    expect(html).toContain(`<span class="value">${(ev.count - hits).toLocaleString('en-US')}</span><span class="label">mistakes</span>`);
  });
});

describe('terminal output', () => {
  it('prints accuracy, a per-class table and the confusion matrix in aligned columns', () => {
    const text = evalTable(ev);
    const hits = confusion.reduce((a, row, i) => a + row[i], 0);
    expect(text.split('\n')[0]).toBe(`test accuracy: ${(ev.accuracy * 100).toFixed(2)}% (${hits} of ${ev.count})`);
    expect(text).toMatch(/^class\s+precision\s+recall\s+f1\s+support$/m);
    expect(text).toMatch(/^9\s+0\.0000\s+0\.0000\s+0\.0000\s+\d+$/m); // never predicted
    const matrixRows = text.split('\n').filter((l) => /^\d\s+\d+(\s+\d+){9}$/.test(l));
    expect(matrixRows.map((l) => l.trim().split(/\s+/).slice(1).map(Number))).toEqual(confusion);
  });

  it('hyperparameters read as one line; text that is not a JSON object as it is', () => {
    expect(describeHyperparameters('{"hidden":[128,64],"optimizer":{"name":"Adam","lr":0.001}}')).toBe('hidden 128,64 · optimizer name Adam, lr 0.001');
    expect(describeHyperparameters('lr=0.1')).toBe('lr=0.1');
  });
});
