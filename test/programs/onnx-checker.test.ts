// Every model we write passes the official ONNX checker with full_check (shape
// inference included), which catches what ORT silently accepts. Debian's
// python3-onnx provides it; .ci/run installs it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { OPTIMIZERS } from '../../src/optim/index.js';
import { buildEvaluate } from '../../src/programs/evaluate.js';
import { buildInference } from '../../src/programs/inference.js';
import { buildTrainLoop } from '../../src/programs/train-loop.js';
import { buildTrainStep } from '../../src/programs/train-step.js';
import { buildTrainUnrolled } from '../../src/programs/train-unrolled.js';
import { mulberry32 } from '../../src/train/random.js';

const PYTHON = process.env.ONNX_CHECKER_PYTHON ?? '/usr/bin/python3';
const CHECK = `
import sys, onnx
for f in sys.argv[1:]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    print(f, m.ir_version, m.opset_import[0].version)
`;

describe('the official ONNX checker (full_check) accepts every model', () => {
  it('inference, evaluation, and the train step and Loop of every optimizer (grouped and flat), IR 8 / opset 17', () => {
    const model = mlp(784, [128, 64], 10);
    const dir = mkdtempSync(path.join(tmpdir(), 'onnx-check-'));
    const models: Record<string, ReturnType<typeof buildInference>> = {
      inference: buildInference(model, model.init(mulberry32(1)), NORMALIZATION, [28, 28]),
      evaluate: buildEvaluate(model, NORMALIZATION),
    };
    for (const [name, make] of Object.entries(OPTIMIZERS)) {
      const opt = make({ name, lr: 0.01 });
      models[`${name}-step`] = buildTrainStep(model, opt, NORMALIZATION, [28, 28]);
      models[`${name}-loop`] = buildTrainLoop(model, opt, NORMALIZATION, { ep: 'cpu', threads: 1 });
      models[`${name}-loop-flat`] = buildTrainLoop(model, opt, NORMALIZATION, { ep: 'cpu', threads: 2 });
      models[`${name}-unrolled`] = buildTrainUnrolled(model, opt, NORMALIZATION, { ep: 'webgpu', threads: 1 }, 3, 16);
      models[`${name}-deeper`] = buildTrainLoop(mlp(784, [256, 128, 32], 10), opt, NORMALIZATION, { ep: 'cpu', threads: 1 });
    }
    const files = Object.entries(models).map(([name, g]) => {
      const f = path.join(dir, `${name}.onnx`);
      writeFileSync(f, serializeModel(g));
      return f;
    });
    let out: string;
    try {
      out = execFileSync(PYTHON, ['-c', CHECK, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`ONNX checker failed (needs Debian's python3-onnx: apt-get install python3-onnx):\n${err.stderr ?? err.message}`);
    }
    expect(out.trim().split('\n')).toHaveLength(files.length);
    for (const line of out.trim().split('\n')) expect(line).toMatch(/ 8 17$/);
  });
});
