// Checkpoints on disk (the format is src/train/checkpoint.ts): read with errors that
// name the file, checked against the run that resumes them, written atomically.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CHECKPOINT_FILE } from '../contract/artifact.js';
import type { Model } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type CheckpointInfo } from '../train/checkpoint.js';
import { settingsDiff } from '../train/settings.js';
import type { TrainState } from '../train/trainer.js';
import { writeFileAtomic } from './atomic-write.js';
import type { NodeTrainConfig } from './config.js';

export const checkpointPath = (dir: string) => path.join(dir, CHECKPOINT_FILE);

export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const file = checkpointPath(dir);
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`--resume ${dir}: ${e.code === 'ENOENT' ? `no ${file} (train writes one after every epoch)` : e.message}`);
  });
  return decodeCheckpoint(bytes, file);
}

/** Temporary file, then rename: a run killed mid-write leaves the previous checkpoint whole. */
export const writeCheckpoint = (dir: string, model: Model, optimizer: Optimizer, state: TrainState, info: CheckpointInfo) =>
  writeFileAtomic(checkpointPath(dir), encodeCheckpoint(model, optimizer, state, info));


/** Throws, naming every difference, when the checkpoint was made with other settings or on other data. */
export function checkResumable(ckpt: Checkpoint, settings: Record<string, unknown>, checksums: Record<string, string>): void {
  const problems = settingsDiff(ckpt.hyperparameters, settings);
  const short = (sha: string | undefined) => (sha ? `sha256 ${sha.slice(0, 12)}...` : 'absent');
  for (const f of new Set([...Object.keys(ckpt.datasetSha256), ...Object.keys(checksums)])) {
    if (ckpt.datasetSha256[f] !== checksums[f]) problems.push(`dataset file ${f}: ${short(ckpt.datasetSha256[f])} in the checkpoint, ${short(checksums[f])} now`);
  }
  if (problems.length === 0) return;
  throw new Error(`${ckpt.file} was made with other settings or data; not resuming it:\n  ${problems.join('\n  ')}\n` +
    'Leave those flags out to take the checkpoint\'s settings (--data must name the same files), or train from scratch into another --out.');
}

/** Where the execution settings record by the checkpoint and this run's differ, the line to print. */
export function executionNote(ckpt: Checkpoint, cfg: Pick<NodeTrainConfig, 'ep' | 'threads'>): string | undefined {
  const was = parseExecution(ckpt.extra?.execution);
  if (!was || (was.ep === cfg.ep && was.threads === cfg.threads)) return undefined;
  return `note: the checkpoint was trained on ${was.ep} with ${was.threads} thread(s), this run uses ${cfg.ep} with ${cfg.threads}: ` +
    'the weights will not be bit-identical to an uninterrupted run';
}

export const executionRecord = (cfg: Pick<NodeTrainConfig, 'ep' | 'threads'>) => JSON.stringify({ ep: cfg.ep, threads: cfg.threads });

function parseExecution(s: string | undefined): { ep: string; threads: number } | undefined {
  try {
    return s === undefined ? undefined : JSON.parse(s);
  } catch {
    return undefined; // informational only: an unreadable record just gives no note
  }
}
