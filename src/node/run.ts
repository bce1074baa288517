// `onnx-mnist train`: data in, artifacts, a checkpoint per epoch and a JSON-lines log out.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKPOINT_FILE, MODEL_FILE, TRAIN_STEP_FILE } from '../contract/artifact.js';
import { removeStaleTemps } from './atomic-write.js';
import { loadDataset } from './load-dataset.js';
import { artifactAccuracy, artifactMetadata, inferenceGraph, inferenceModel, trainStepModel, writeArtifacts } from './artifacts.js';
import { checkpointPath, checkResumable, executionNote, executionRecord, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { readInitialParams } from './init-from.js';
import type { Graph } from '../graph/graph.js';
import type { Model } from '../model/model.js';
import { createOptimizer, describeOptimizer } from '../optim/index.js';
import { checkpointState, type Checkpoint } from '../train/checkpoint.js';
import { modelAndOptimizer } from '../train/config.js';
import { hyperparameters, inheritSettings, type Inheritable } from '../train/settings.js';
import type { EpochReport, TrainResult, TrainStart, TrainState } from '../train/trainer.js';
import { PRODUCER } from '../version.js';
import type { NodeTrainConfig } from './config.js';
import { createReporter } from './progress.js';
import { train } from './runtime.js';

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

/** An epoch's report as the log and the checkpoint keep it. */
type EpochRecord = EpochReport & { time?: string };

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runTrain(given: RunOptions, say: (line: string) => void = console.log): Promise<{ accuracy: number; model: string }> {
  const t0 = performance.now();
  if (given.resume && given.initFrom) throw new Error('--resume and --init-from exclude each other: the checkpoint already holds the weights');
  // A missing or corrupt checkpoint, or a bad setting, fails before the data loads.
  const ckpt = given.resume ? await readCheckpoint(given.resume) : undefined;
  const o = ckpt ? inheritSettings(given, ckpt.hyperparameters, given.inherit ?? []) : given;
  const optimizer = createOptimizer(o.optimizer);
  const data = await loadDataset(o.dataDir);
  say(`data: ${data.source} (${data.train.count} train, ${data.test.count} test, ${data.rows}x${data.cols})`);
  const { model } = modelAndOptimizer(o, data.rows * data.cols);
  let settings = hyperparameters(o, model, optimizer, o.trainLimit > 0 ? Math.min(o.trainLimit, data.train.count) : data.train.count);
  let start: TrainStart | undefined;
  if (ckpt) {
    if (ckpt.hyperparameters.initFrom) settings = { ...settings, initFrom: ckpt.hyperparameters.initFrom };
    checkResumable(ckpt, settings, await data.checksums);
    start = checkpointState(ckpt, model, optimizer);
    say(`resuming ${ckpt.file}: ${ckpt.epoch} epoch(s), ${ckpt.step} steps done`);
    const note = executionNote(ckpt, o);
    if (note) say(note);
  } else if (o.initFrom) {
    const { params, source } = await readInitialParams(o.initFrom, model);
    start = { params };
    settings = { ...settings, initFrom: source };
    say(`initial weights: ${o.initFrom} (fresh optimizer state)`);
  }
  say(`model: ${data.rows * data.cols} -> ${o.hidden.join(' -> ')} -> 10, ${describeOptimizer(optimizer)}, batch ${o.batchSize}, ${o.epochs} epochs, seed ${o.seed}, ep ${o.ep}, ${o.threads} thread(s)`);

  // The log and the checkpoint carry every epoch's report, a resumed checkpoint's included.
  const history: EpochRecord[] = [...(ckpt?.training ?? [])];
  const logFile = o.logFile ?? path.join(o.outDir, 'train-log.jsonl');
  await mkdir(path.dirname(logFile), { recursive: true });
  for (const f of [MODEL_FILE, TRAIN_STEP_FILE, CHECKPOINT_FILE]) await removeStaleTemps(path.join(o.outDir, f));
  await writeFile(logFile, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const info = async (upTo: number) => ({
    hyperparameters: settings, datasetSha256: await data.checksums, training: history.filter((r) => r.epoch <= upTo),
    extra: { producer: PRODUCER, execution: executionRecord(o) },
  });
  const save = async (state: TrainState) => writeCheckpoint(o.outDir, model, optimizer, state, await info(state.epoch));

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
        const record = { ...e, time: new Date().toISOString() };
        history.push(record);
        void appendFile(logFile, `${JSON.stringify(record)}\n`);
      },
      onEpochEnd: save,
    }, start).finally(() => reporter.done());
  }

  const { graph, accuracy } = await (checked ?? check(result.model, result.params));
  const onnx = inferenceModel(graph, artifactMetadata(settings, history, await data.checksums, accuracy));
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
