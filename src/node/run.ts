// `onnx-mnist train`: data in, artifacts and a JSON-lines log out.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadDataset } from './load-dataset.js';
import { inferenceGraph, inferenceModel, trainStepModel } from '../train/artifacts.js';
import { artifactAccuracy, artifactMetadata, writeArtifacts } from './artifacts.js';
import type { Graph } from '../graph/graph.js';
import type { Model } from '../model/model.js';
import { createOptimizer, describeOptimizer } from '../optim/index.js';
import type { NodeTrainConfig } from './config.js';
import { createReporter } from './progress.js';
import { train } from './runtime.js';

export interface RunOptions extends NodeTrainConfig { dataDir?: string; outDir: string; logFile?: string }

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runTrain(o: RunOptions, say: (line: string) => void = console.log): Promise<{ accuracy: number; model: string }> {
  const t0 = performance.now();
  const optimizer = createOptimizer(o.optimizer); // a bad setting fails before the data loads
  const data = await loadDataset(o.dataDir);
  say(`data: ${data.source} (${data.train.count} train, ${data.test.count} test, ${data.rows}x${data.cols})`);
  say(`model: ${data.rows * data.cols} -> ${o.hidden.join(' -> ')} -> 10, ${describeOptimizer(optimizer)}, batch ${o.batchSize}, ${o.epochs} epochs, seed ${o.seed}, ep ${o.ep}, ${o.threads} thread(s)`);
  const logFile = o.logFile ?? path.join(o.outDir, 'train-log.jsonl');
  await mkdir(path.dirname(logFile), { recursive: true });
  await writeFile(logFile, '');
  const reporter = createReporter(o.epochs);
  // The artifact's own accuracy is measured while the worker still evaluates the last epoch.
  let checked: Promise<{ graph: Graph; accuracy: number }> | undefined;
  const check = async (model: Model, params: Float32Array) => {
    const graph = inferenceGraph(model, params);
    return { graph, accuracy: await artifactAccuracy(inferenceModel(graph), data) };
  };
  const result = await train(o, data, {
    onTrained: (model, params) => {
      checked = check(model, params);
      checked.catch(() => {}); // awaited below
    },
    onChunk: (c) => reporter.chunk(c),
    onEpoch: (e) => {
      reporter.epoch(e);
      void appendFile(logFile, `${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`);
    },
  }).finally(() => reporter.done());

  const { graph, accuracy } = await (checked ?? check(result.model, result.params));
  const model = inferenceModel(graph, await artifactMetadata(o, result, data, accuracy));
  const files = await writeArtifacts(o.outDir, model, trainStepModel(result));
  const secs = result.epochs.map((e) => e.seconds);
  say(`trained ${result.epochs.length} epochs in ${result.trainSeconds.toFixed(2)} s (median epoch ${median(secs).toFixed(3)} s); ` +
    `test accuracy of the written model: ${(accuracy * 100).toFixed(2)}%`);
  say(`wrote ${files.model} (${(model.length / 1024).toFixed(0)} KiB), ${files.trainStep}, ${logFile}; total ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return { accuracy, model: files.model };
}
