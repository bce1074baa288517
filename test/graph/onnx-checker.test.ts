// Every model we write passes the official ONNX checker with full_check (shape
// inference included), which catches what ORT silently accepts. Debian's
// python3-onnx provides it; .ci/run installs it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { ADAM_DEFAULTS } from '../../src/optim/adam.js';
import { buildInference } from '../../src/programs/inference.js';
import { initParams, mlpLayout } from '../../src/model/mlp.js';
import { mulberry32 } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { buildEvaluate, buildTrainLoop, buildTrainStep } from '../../src/programs/training.js';

const PYTHON = process.env.ONNX_CHECKER_PYTHON ?? '/usr/bin/python3';
const CHECK = `
import sys, onnx
for f in sys.argv[1:]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    print(f, m.ir_version, m.opset_import[0].version)
`;

describe('the official ONNX checker (full_check) accepts every model', () => {
  it('inference, train step, train loop and evaluation graphs, IR 8 / opset 17', () => {
    const layout = mlpLayout(784, [128, 64], 10);
    const dir = mkdtempSync(path.join(tmpdir(), 'onnx-check-'));
    const models = {
      inference: buildInference(layout, initParams(layout, mulberry32(1)), NORMALIZATION, [28, 28]),
      step: buildTrainStep(layout, NORMALIZATION, ADAM_DEFAULTS, [28, 28]),
      loop: buildTrainLoop(layout, NORMALIZATION, ADAM_DEFAULTS),
      evaluate: buildEvaluate(layout, NORMALIZATION),
      deeper: buildTrainLoop(mlpLayout(784, [256, 128, 32], 10), NORMALIZATION, ADAM_DEFAULTS),
    };
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
