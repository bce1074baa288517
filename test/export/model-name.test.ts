// --name must be one folder name, as Triton takes a model name; a bad one is refused
// before anything is written. The InferenceService name follows KServe's rule.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelName, checkServiceName, NameError } from '../../src/export/model-name.js';
import { exportTriton } from '../../src/export/triton.js';
import type { ModelSpec } from '../../src/serve/model.js';

const BAD_MODEL_NAMES: [string, RegExp][] = [
  ['', /is empty/], ['   ', /is empty/], ['.', /relative folder/], ['..', /relative folder/],
  ['a/b', /path separator/], ['../mnist', /path separator/], ['/abs', /path separator/], ['a\\b', /path separator/],
  ['mn\nist', /control character/], ['mnist\u0000', /control character/], ['mnist\u007f', /control character/],
  [' mnist', /starts or ends with a blank/], ['mnist\t', /control character/],
];

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-names-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('model names', () => {
  it.each(BAD_MODEL_NAMES)('refuses %j (%s)', (name, why) => {
    expect(() => checkModelName(name)).toThrow(NameError);
    expect(() => checkModelName(name)).toThrow(why);
  });

  it.each(['mnist', 'mnist_v2', 'digits-1.0', 'MNIST', '.hidden-but-valid', 'chiffres manuscrits', 'цифры'])('accepts %j', (name) => {
    expect(checkModelName(name)).toBe(name);
  });

  it('exportTriton writes nothing at all for a bad name', async () => {
    const spec: ModelSpec = {
      graphName: 'g', labels: ['a', 'b'], metadata: {},
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2], modelShape: [-1, 2] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2], modelShape: [-1, 2] }],
    };
    const repo = path.join(dir, 'repo');
    for (const [name] of BAD_MODEL_NAMES) {
      await expect(exportTriton({ bytes: new Uint8Array([1, 2, 3]), spec }, repo, { name, maxBatchSize: 8, maxQueueDelayUs: 0, instances: 1 }))
        .rejects.toThrow(NameError);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('InferenceService names (KServe)', () => {
  it.each(['mnist', 'mnist-v2', 'a', 'x1', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(checkServiceName(name)).toBe(name);
  });
  it.each(['', 'MNIST', 'mnist_v2', '1mnist', 'mnist-', '-mnist', 'mn.ist', 'a'.repeat(64)])('refuses %j', (name) => {
    expect(() => checkServiceName(name)).toThrow(/not valid for KServe: use lower-case letters, digits and "-"/);
  });
});
