// `onnx-mnist train`: data in, artifacts, a checkpoint per epoch and a JSON-lines log out.
import path from 'node:path';
import { CHECKPOINT_FILE, MODEL_FILE, TRAIN_STEP_FILE } from '../contract/artifact.js';
import type { Graph } from '../graph/graph.js';
import type { Model } from '../model/model.js';
import type { Checkpoint, EpochRecord } from '../train/checkpoint.js';
import type { Inheritable } from '../train/settings.js';
import type { TrainResult, TrainState } from '../train/trainer.js';
import { PRODUCER } from '../version.js';
import { inferenceGraph, inferenceModel, modelMetadata, trainStepModel } from '../train/artifacts.js';
import { artifactAccuracy, writeArtifacts } from './artifacts.js';
import { removeStaleTemps } from './atomic-write.js';
import { checkpointPath, executionRecord, writeCheckpoint } from './checkpoint.js';
import type { NodeTrainConfig } from './config.js';
import { openJournal } from './journal.js';
import { createReporter } from './progress.js';
import { train } from './runtime.js';
import { startRun } from './start.js';

export interface RunOptions extends NodeTrainConfig {
  dataDir?: string;
  outDir: string;
  logFile?: string;
  /** A folder with a checkpoint.safetensors to continue from, to `epochs` (README "Artifacts"). */
  resume?: string;
  /** With `resume`: the settings the command line left out, taken from the checkpoint. */
  inherit?: readonly Inheritable[];
  /** An ONNX model whose weights (initializers by state_dict name) start training, with a fresh optimizer. */
  initFrom?: string;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runTrain(given: RunOptions, say: (line: string) => void = console.log): Promise<{ accuracy: number; model: string }> {
  const t0 = performance.now();
  const { o, data, model, optimizer, settings, start, ckpt } = await startRun(given, say);
  for (const f of [MODEL_FILE, TRAIN_STEP_FILE, CHECKPOINT_FILE]) await removeStaleTemps(path.join(o.outDir, f));
  const extra = { producer: PRODUCER, execution: executionRecord(o) };
  const save = async (state: TrainState, training: readonly EpochRecord[] = ckpt?.training ?? []) =>
    writeCheckpoint(o.outDir, model, optimizer, state, { hyperparameters: settings, datasetSha256: await data.checksums, training: [...training], extra });
  const logFile = o.logFile ?? path.join(o.outDir, 'train-log.jsonl');
  const journal = await openJournal(logFile, ckpt?.training ?? [], save);

  // The artifact's own accuracy is measured while the worker still evaluates the last epoch.
  let checked: Promise<{ graph: Graph; accuracy: number }> | undefined;
  const check = async (m: Model, params: Float32Array) => {
    const graph = inferenceGraph(m, params);
    return { graph, accuracy: await artifactAccuracy(inferenceModel(graph), data) };
  };
  let result: TrainResult;
  if (ckpt && start && 'rng' in start && ckpt.epoch >= o.epochs) {
    say(`the checkpoint has ${ckpt.epoch} epoch(s), --epochs is ${o.epochs}: writing the artifacts from it, no training`);
    result = { model, optimizer, params: start.params, slots: start.slots, steps: start.step, epochs: [], trainSeconds: 0 };
    if (checkpointPath(o.outDir) !== ckpt.file) await save(start);
  } else {
    const reporter = createReporter(o.epochs);
    result = await train(o, data, {
      onTrained: (m, params) => {
        checked = check(m, params);
        checked.catch(() => {}); // awaited below
      },
      onChunk: (c) => reporter.chunk(c),
      onEpoch: (e) => {
        reporter.epoch(e);
        journal.evaluated(e);
      },
      onEpochEnd: (state, trained) => journal.trained(state, trained),
    }, start).finally(() => reporter.done());
  }
  await journal.done();

  const { graph, accuracy } = await (checked ?? check(result.model, result.params));
  const onnx = inferenceModel(graph, modelMetadata(settings, journal.history(), await data.checksums, accuracy));
  const files = await writeArtifacts(o.outDir, onnx, trainStepModel(result));
  const acc = `test accuracy of the written model: ${(accuracy * 100).toFixed(2)}%`;
  say(result.epochs.length ? `${trainedLine(result, ckpt)}; ${acc}` : acc);
  say(`wrote ${files.model} (${(onnx.length / 1024).toFixed(0)} KiB), ${files.trainStep}, ${checkpointPath(o.outDir)}, ${logFile}; total ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return { accuracy, model: files.model };
}

function trainedLine(result: TrainResult, ckpt: Checkpoint | undefined): string {
  const n = result.epochs.length;
  const which = ckpt ? ` (epochs ${ckpt.epoch + 1}-${ckpt.epoch + n}, resumed)` : '';
  return `trained ${n} epochs${which} in ${result.trainSeconds.toFixed(2)} s (median epoch ${median(result.epochs.map((e) => e.seconds)).toFixed(3)} s)`;
}
