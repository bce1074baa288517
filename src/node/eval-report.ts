// `onnx-mnist eval`: runs a model on a test split and writes OUT/eval.json (issue 11's
// contract) and OUT/report.html. The numbers and the page come from src/report/;
// this file reads the files, runs ONNX Runtime and writes the results atomically.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { META } from '../contract/artifact.js';
import { NUM_CLASSES } from '../data/mnist-spec.js';
import { accuracySpec, confusionSpec, errorsSpec, lossSpec, perClassSpec } from '../report/charts.js';
import { trainingHistory, type History } from '../report/curves.js';
import { modelFacts } from '../report/facts.js';
import { reportHtml, type ReportMistake } from '../report/html.js';
import { confusionMatrix, evalMetrics, type EvalJson } from '../report/metrics.js';
import { confidentMistakes } from '../report/mistakes.js';
import { renderSvg } from '../report/render.js';
import { writeFileAtomic } from './atomic-write.js';
import { classify } from './classify.js';
import { digitPng } from './digit-png.js';
import { loadTestSplit } from './load-dataset.js';
import { openModelFile } from './model-file.js';

export const EVAL_JSON = 'eval.json';
export const REPORT_HTML = 'report.html';
export const TRAIN_LOG = 'train-log.jsonl';

export interface EvalOptions {
  modelPath: string;
  /** IDX folder; default: the bundled MNIST. */
  dataDir?: string;
  /** Default: the model's folder. */
  outDir?: string;
  /** Training's JSON-lines log; default: train-log.jsonl beside the model, when there. */
  logFile?: string;
  /** How many of the most confident mistakes the report shows. */
  mistakes?: number;
}

export interface EvalOutcome { evaluation: EvalJson; notes: string[]; files: { json: string; html: string } }

export async function runEval(o: EvalOptions): Promise<EvalOutcome> {
  const model = await openModelFile(o.modelPath);
  const { contract } = model;
  const data = await loadTestSplit(o.dataDir);
  if (data.rows !== contract.rows || data.cols !== contract.cols) {
    throw new Error(`${data.source}: the test images are ${data.rows}x${data.cols}, but ${o.modelPath} takes ${contract.rows}x${contract.cols}`);
  }
  const run = await classify(model.bytes, data.test, data, contract, NUM_CLASSES).catch((e: Error) => {
    throw new Error(`${o.modelPath}: ${e.message}`); // ONNX Runtime's own messages do not say which file
  });
  const evaluation = evalMetrics(confusionMatrix(data.test.labels, run.predicted, NUM_CLASSES), contract.classLabels);
  const history = await readHistory(model.info.metadata, o.modelPath, o.logFile);

  const labels = contract.classLabels;
  const per = data.rows * data.cols;
  const mistakes: ReportMistake[] = await Promise.all(
    confidentMistakes(data.test.labels, run.predicted, run.probabilities, NUM_CLASSES, o.mistakes ?? 40).map(async (m) => ({
      index: m.index, truth: labels[m.truth], predicted: labels[m.predicted], confidence: m.confidence,
      src: await digitPng(data.test.images.subarray(m.index * per, (m.index + 1) * per), data.rows, data.cols),
    })),
  );
  const loss = lossSpec(history.epochs), accuracy = accuracySpec(history.epochs);
  const charts = {
    confusion: await renderSvg(confusionSpec(evaluation), 'confusion'),
    perClass: await renderSvg(perClassSpec(evaluation), 'scores'),
    errors: await renderSvg(errorsSpec(evaluation), 'errors'),
    loss: loss && (await renderSvg(loss, 'loss')),
    accuracy: accuracy && (await renderSvg(accuracy, 'accuracy')),
  };
  const html = reportHtml({
    modelName: path.basename(o.modelPath),
    facts: modelFacts(model.info.metadata, { model: path.resolve(o.modelPath), data: data.source, evaluated: new Date().toISOString() }),
    evaluation, charts, epochs: history.epochs, mistakes, notes: history.notes,
  });

  const out = o.outDir ?? path.dirname(o.modelPath);
  const files = { json: path.join(out, EVAL_JSON), html: path.join(out, REPORT_HTML) };
  await writeFileAtomic(files.json, `${JSON.stringify(evaluation, null, 2)}\n`);
  await writeFileAtomic(files.html, html);
  return { evaluation, notes: history.notes, files };
}

/** The model's training metadata, with the log beside it when that log is there and of the same run. */
async function readHistory(meta: Readonly<Record<string, string>>, modelPath: string, logFile?: string): Promise<History> {
  const file = logFile ?? path.join(path.dirname(modelPath), TRAIN_LOG);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' && logFile === undefined) return undefined; // optional unless asked for
    throw new Error(`${file}: cannot read the training log (${e.code ?? e.message})`);
  });
  try {
    return trainingHistory(meta[META.training], text === undefined ? undefined : { text, file });
  } catch (e) {
    throw new Error(`${modelPath}: ${(e as Error).message}`);
  }
}
