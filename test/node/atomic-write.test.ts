// Atomic writes and what SIGKILL leaves of them: a temporary file beside the target,
// removed by the next run only once the process that wrote it is gone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../../src/node/atomic-write.js';

describe('atomic writes', () => {
  it('writes through a temporary file and leaves only the target', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    await writeFileAtomic(path.join(dir, 'sub', 'a.bin'), 'hello');
    expect(readFileSync(path.join(dir, 'sub', 'a.bin'), 'utf8')).toBe('hello');
    expect(readdirSync(path.join(dir, 'sub'))).toEqual(['a.bin']);
  });

  it('removeStaleTemps removes a dead writer\'s temporary file, not a live one\'s nor other files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited by now
    const names = [`.a.bin.${dead}.0badc0de.tmp`, `.a.bin.${process.pid}.0badc0de.tmp`, `.b.bin.${dead}.0badc0de.tmp`, 'a.bin', `.a.bin.${dead}.tmp`];
    for (const n of names) writeFileSync(path.join(dir, n), 'x');
    await removeStaleTemps(path.join(dir, 'a.bin'));
    expect(existsSync(path.join(dir, names[0]))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });
});
