// Where a run starts: from scratch; from a checkpoint (--resume: the settings left out are
// taken from it, the rest and the dataset must match it); or from a model's weights
// (--init-from, with a fresh optimizer). Every check runs before the first step.
import type { Model } from '../model/model.js';
import { createOptimizer, describeOptimizer } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { checkpointState, type Checkpoint } from '../train/checkpoint.js';
import { modelAndOptimizer } from '../train/config.js';
import { hyperparameters, inheritSettings, type Hyperparameters } from '../train/settings.js';
import type { TrainStart } from '../train/trainer.js';
import { checkResumable, executionNote, readCheckpoint } from './checkpoint.js';
import { readInitialParams } from './init-from.js';
import { loadDataset, type Dataset } from './load-dataset.js';
import type { RunOptions } from './run.js';

export interface RunStart {
  /** The options with the settings taken from a resumed checkpoint. */
  o: RunOptions;
  data: Dataset;
  model: Model;
  optimizer: Optimizer;
  /** The artifact's and the checkpoint's `hyperparameters`. */
  settings: Hyperparameters;
  start?: TrainStart;
  ckpt?: Checkpoint;
}

export async function startRun(given: RunOptions, say: (line: string) => void): Promise<RunStart> {
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
  return { o, data, model, optimizer, settings, start, ckpt };
}
