// `train` and the report: it prints the `eval` command that makes the report (and
// that command works as printed), or writes the report itself with --report.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp as tmpIn } from '../cli.js';

const tmp = () => tmpIn('train-report-');

describe('train and the report', () => {
  it('--help lists eval and inspect beside the other commands (each loaded lazily)', () => {
    const r = cli('--help');
    for (const c of ['train', 'serve', 'export', 'eval', 'inspect']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('train prints the eval command that makes the report; that command works', () => {
    const d = tmp();
    const t = cli('train', '--epochs', '1', '--limit', '1000', '--out', d);
    expect(t.status).toBe(0);
    const line = t.stdout.trim().split('\n').at(-1)!;
    expect(line).toBe(`make the report: onnx-mnist eval --model ${path.join(d, 'mnist-mlp.onnx')}`);
    const e = cli(...line.replace('make the report: onnx-mnist ', '').split(' '));
    expect(e.status).toBe(0);
    expect(existsSync(path.join(d, 'report.html'))).toBe(true);
  });

  it('train --report writes eval.json and report.html beside the model', () => {
    const d = path.join(tmp(), 'with space');
    mkdirSync(d);
    const t = cli('train', '--epochs', '1', '--limit', '1000', '--out', d, '--report');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^test accuracy: \d+\.\d+% \(\d+ of 10000\)$/m);
    expect(readdirSync(d).sort()).toEqual(['checkpoint.safetensors', 'eval.json', 'mnist-mlp.onnx', 'report.html', 'train-log.jsonl', 'train-step.onnx']);
  });
});
