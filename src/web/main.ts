// The page: a drawing pad, the model's answer as you draw, probability bars, the
// 28x28 the model sees, and a switch between this browser and the server.
// Query options: ?backend=auto|wasm|webgpu (default auto), ?threads=N.
import { MODEL_URL } from '../contract/artifact.js';
import { viewDrawing } from './drawing.js';
import { hasWebGpu, loadClassifier, type Backend, type Classifier } from './infer.js';
import { setupPad } from './pad.js';
import { askServer } from './server-client.js';
import { setupTrainPanel } from './train-panel.js';


type Source = 'browser' | 'server';

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
}

const pad = $<HTMLCanvasElement>('pad');
const preview = $<HTMLCanvasElement>('preview');
const previewCtx = preview.getContext('2d')!;
const prediction = $<HTMLOutputElement>('prediction');
const hint = $('hint'), timing = $('timing'), compare = $('compare'), bars = $('bars');
const status = $('status'), errorBox = $('error'), modelInfo = $('model-info'), modelSource = $('model-source');
const sourceInputs = Array.from(document.querySelectorAll<HTMLInputElement>('input[name="source"]'));

let classifier: Classifier | null = null;
let source: Source = 'browser';
let labels = Array.from({ length: 10 }, (_, i) => String(i));
/** Bumped on every new question (drawing changed, or asked the other side); older answers are dropped. */
let revision = 0;
/** Bumped when the drawing changes: the two sides' answers are compared for one drawing. */
let drawing = 0;
let answers: { drawing: number } & Partial<Record<Source, { label: string; ms: number }>> = { drawing: 0 };

// ---- drawing -------------------------------------------------------------

// Hoisted function declarations (changed, showError) are defined below.
const drawingPad = setupPad(pad, () => changed(), (e) => showError(e));
const ctx = drawingPad.ctx;
$('clear').addEventListener('click', () => { drawingPad.clear(); changed(); });

// ---- classifying -----------------------------------------------------------

let frameQueued = false, running = false, pending = false;

/** The drawing changed (or the source): classify it at the next frame, one classification at a time. */
function changed(what: 'drawing' | 'source' = 'drawing'): void {
  if (what === 'drawing') drawing++;
  revision++;
  pad.dataset.revision = String(revision);
  prediction.dataset.busy = 'true';
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    pending = true;
    if (!running) void pump();
  });
}

async function pump(): Promise<void> {
  running = true;
  while (pending) {
    pending = false;
    try {
      await classifyDrawing();
    } catch (e) {
      showError(e);
    }
  }
  running = false;
  if (!frameQueued) prediction.dataset.busy = 'false';
}

async function classifyDrawing(): Promise<void> {
  const rev = revision;
  if (answers.drawing !== drawing) answers = { drawing };
  const t0 = performance.now();
  const view = viewDrawing(ctx.getImageData(0, 0, pad.width, pad.height).data, pad.width, pad.height);
  const preMs = performance.now() - t0;
  drawPreview(view.kind === 'digit' ? view.pixels : null);
  if (view.kind === 'empty') {
    showEmpty(rev);
    return;
  }
  if (source === 'browser') {
    if (!classifier) {
      hint.textContent = 'Waiting for the model…';
      return;
    }
    const r = await classifier.classify(view.pixels);
    if (rev !== revision) return;
    showAnswer(rev, 'browser', r.label, Array.from(r.probabilities), r.ms,
      `In this browser (${classifier.backend === 'webgpu' ? 'WebGPU' : `WASM, ${classifier.threads} thread${classifier.threads === 1 ? '' : 's'}`}): ` +
      `${fmt(r.ms)} inference + ${fmt(preMs)} preprocessing`);
  } else {
    const png = await new Promise<Blob>((ok, fail) => pad.toBlob((b) => (b ? ok(b) : fail(new Error('could not encode the drawing'))), 'image/png'));
    const r = await askServer(png, AbortSignal.timeout(10_000));
    if (rev !== revision) return;
    showAnswer(rev, 'server', r.label, r.probabilities, r.ms, `On the server: ${fmt(r.ms)} round trip (upload, preprocessing, inference)`);
  }
  showError(null);
}

const fmt = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`);

// data-revision: the question (see the pad's data-revision) the shown answer is for.
function showEmpty(rev: number): void {
  prediction.dataset.revision = String(rev);
  prediction.textContent = '';
  prediction.dataset.state = 'empty';
  hint.textContent = 'Nothing drawn yet.';
  timing.textContent = '';
  compare.textContent = '';
  setBars(null);
}

function showAnswer(rev: number, from: Source, label: number, probabilities: number[] | null, ms: number, how: string): void {
  prediction.dataset.revision = String(rev);
  const name = labels[label] ?? String(label);
  prediction.textContent = name;
  prediction.dataset.state = 'answer';
  prediction.dataset.source = from;
  const p = probabilities?.[label];
  hint.textContent = p === undefined ? '' : `${(p * 100).toFixed(p > 0.995 ? 1 : 0)}% sure`;
  timing.textContent = how;
  answers[from] = { label: name, ms };
  const both = (['browser', 'server'] as const).filter((s) => answers[s]);
  compare.textContent = both.length === 2
    ? `Same drawing — browser: ${answers.browser!.label} in ${fmt(answers.browser!.ms)}, server: ${answers.server!.label} in ${fmt(answers.server!.ms)}` +
      (answers.browser!.label === answers.server!.label ? ' (they agree)' : ' (they differ)')
    : '';
  setBars(probabilities);
}

// ---- output widgets --------------------------------------------------------

function buildBars(): void {
  bars.replaceChildren(...labels.map((name) => {
    const li = document.createElement('li');
    li.innerHTML = '<span class="digit"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
    li.querySelector('.digit')!.textContent = name;
    return li;
  }));
  setBars(null);
}

function setBars(probabilities: number[] | null): void {
  const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  Array.from(bars.children).forEach((li, i) => {
    const p = probabilities?.[i] ?? 0;
    li.classList.toggle('top', i === top);
    (li.querySelector('.fill') as HTMLElement).style.transform = `scaleX(${p})`;
    li.querySelector('.pct')!.textContent = probabilities ? `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%` : '–';
  });
}

function drawPreview(pixels: Float32Array | null): void {
  const img = previewCtx.createImageData(preview.width, preview.height);
  if (pixels) {
    for (let i = 0; i < pixels.length; i++) {
      const v = Math.round(pixels[i] * 255);
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    }
  }
  for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
  previewCtx.putImageData(img, 0, 0);
}

/** The model failing to load stays on screen; a failed request shows until the next answer. */
let loadError = '', lastError = '';
function showError(e: unknown, lasting = false): void {
  const text = e === null ? '' : e instanceof Error ? e.message : String(e);
  if (lasting) loadError = text;
  else lastError = text;
  errorBox.textContent = [loadError, lastError].filter(Boolean).join(' ');
  errorBox.hidden = !errorBox.textContent;
}

for (const input of sourceInputs) {
  input.addEventListener('change', () => {
    if (!input.checked) return;
    source = input.value as Source;
    changed('source'); // the same drawing, answered by the other side
  });
}

// ---- start -----------------------------------------------------------------

async function start(): Promise<void> {
  drawingPad.clear();
  buildBars();
  drawPreview(null);
  const q = new URLSearchParams(location.search);
  const backend = (q.get('backend') ?? 'auto') as Backend | 'auto';
  const threads = Number(q.get('threads')) || undefined;
  setupTrainPanel({
    webgpu: await hasWebGpu(),
    // ORT's own default: half the cores, at most 4 (2 WASM threads on 2 vCPUs ran slower than 1 here).
    threads: threads ?? Math.min(4, Math.ceil((navigator.hardwareConcurrency || 1) / 2)),
    async onModel(bytes, accuracy) {
      // Inference on WASM: a few microseconds per drawing, and no second GPU context beside training's.
      classifier = await loadClassifier(bytes.slice(), { backend: 'wasm', threads: 1 });
      labels = classifier.contract.classLabels;
      modelSource.textContent = `trained in this browser (test accuracy ${(accuracy * 100).toFixed(2)}%)`;
      modelInfo.textContent = `Model test accuracy ${(accuracy * 100).toFixed(2)}% (measured in this browser)`;
      sourceInputs.forEach((i) => { i.disabled = false; });
      changed('source'); // the current drawing, answered by the new model
    },
  });
  try {
    classifier = await loadClassifier(MODEL_URL, { backend, threads });
  } catch (e) {
    document.documentElement.dataset.state = 'error';
    status.textContent = 'The model could not be loaded, so this browser cannot classify drawings.';
    showError(new Error(`The model could not be loaded: ${e instanceof Error ? e.message : String(e)}. ` +
      'Train one with `onnx-mnist train`, then restart `onnx-mnist serve`. You can still try "on the server".'), true);
    const browser = sourceInputs.find((i) => i.value === 'browser');
    if (browser) browser.disabled = true;
    const server = sourceInputs.find((i) => i.value === 'server');
    if (server) { server.checked = true; source = 'server'; }
    return;
  }
  const c = classifier.contract;
  labels = c.classLabels;
  buildBars();
  const runtime = classifier.backend === 'webgpu' ? 'WebGPU' : `WASM, ${classifier.threads} thread${classifier.threads === 1 ? '' : 's'}`;
  status.textContent = `Ready: the model runs in this browser (onnxruntime-web, ${runtime}).`;
  modelInfo.textContent = [
    c.testAccuracy === null ? 'Model loaded' : `Model test accuracy ${(c.testAccuracy * 100).toFixed(2)}%`,
    c.normalization ? `normalization (x − ${c.normalization.mean}) / ${c.normalization.std} inside the model (from its metadata)` : '',
    crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated (single-threaded)',
  ].filter(Boolean).join(' · ');
  performance.mark('mnist:ready');
  document.documentElement.dataset.state = 'ready';
  if (drawing > 0) changed('source'); // drawn while the model was loading
}

void start();
