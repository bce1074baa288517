// Runs the `onnx-mnist` command from the TypeScript sources, as a user would run it,
// and makes scratch folders for its output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI = ['--import', 'tsx', path.resolve('src/cli/main.ts')];

export const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
export const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));
