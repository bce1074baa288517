// The promise of checkpoints, through the CLI: `train` killed with SIGKILL in the middle of
// an epoch leaves a whole checkpoint at most one epoch behind, and `train --resume DIR`
// (no other flag: the settings come from the checkpoint) ends with the weights of a run
// that was never interrupted.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';

const CLI = ['--import', 'tsx', path.resolve('src/cli/main.ts')];
const tmp = () => mkdtempSync(path.join(tmpdir(), 'kill-'));
const checkpoint = (dir: string) => { const f = path.join(dir, 'checkpoint.safetensors'); return decodeCheckpoint(readFileSync(f), f); };
const paramsSha = (dir: string) => {
  const h = createHash('sha256');
  for (const [name, t] of checkpoint(dir).tensors) if (!name.startsWith('optimizer.')) h.update(name).update(t.bytes);
  return h.digest('hex');
};
// 12,000 images: 188 steps an epoch, so "batch 100/188" is printed in the middle of one.
const FLAGS = ['--epochs', '5', '--limit', '12000', '--chunk', '10', '--seed', '7'];

describe('train killed with SIGKILL mid-epoch, then --resume', () => {
  it('no corrupt file, at most one epoch redone, the same final weights as an uninterrupted run', async () => {
    const [killed, whole] = [tmp(), tmp()];
    const child = spawn(process.execPath, [...CLI, 'train', ...FLAGS, '--out', killed]);
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`training never reached the middle of epoch 3:\n${stdout}`)), 90_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/^epoch 3\/5 +batch 100\/188/m.test(stdout)) child.kill('SIGKILL');
      });
      child.on('exit', () => { clearTimeout(timer); resolve(); });
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(stdout).not.toMatch(/^epoch 4\/5/m);

    // Two epochs were complete when it died: the checkpoint decodes and holds one of them.
    const saved = checkpoint(killed);
    expect(saved.epoch).toBeGreaterThanOrEqual(1);
    expect(saved.epoch).toBeLessThanOrEqual(2);
    expect(saved.step).toBe(saved.epoch * 188);

    const resumed = spawnSync(process.execPath, [...CLI, 'train', '--resume', killed], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resuming .*: ${saved.epoch} epoch\\(s\\), ${saved.step} steps done`));
    const trained = [...resumed.stdout.matchAll(/^epoch (\d)\/5: train loss/gm)].map((m) => Number(m[1]));
    expect(trained).toEqual([1, 2, 3, 4, 5].filter((e) => e > saved.epoch));

    const uninterrupted = spawnSync(process.execPath, [...CLI, 'train', ...FLAGS, '--out', whole], { encoding: 'utf8' });
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);
    expect(paramsSha(killed)).toBe(paramsSha(whole));
    expect(checkpoint(killed).step).toBe(5 * 188);
    const log = readFileSync(path.join(killed, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    expect(log).toEqual([1, 2, 3, 4, 5]);
    expect(readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 180_000);
});
