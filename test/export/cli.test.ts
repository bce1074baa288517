// `onnx-mnist export` as a user runs it: the Triton repository, the KServe manifest,
// and refusals that leave the disk as it was.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STORAGE_URI_PLACEHOLDER } from '../../src/export/kserve.js';
import { trainedModel } from '../serve/helpers.js';

let model: string;
let dir: string;
beforeAll(async () => {
  model = trainedModel();
  dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-export-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Runs the command in `cwd` (where relative paths land), from the sources. */
const exportCli = (args: string[], cwd = process.cwd()) =>
  spawnSync(process.execPath, ['--import', pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href, path.resolve('src/cli/main.ts'),
    'export', '--model', model, ...args], { encoding: 'utf8', cwd });

describe('onnx-mnist export', () => {
  it('--triton writes a Triton model repository: config.pbtxt, labels.txt and 1/model.onnx', async () => {
    const repo = path.join(dir, 'repo');
    const r = exportCli(['--triton', repo, '--max-batch-size', '128']);
    expect(r.status, r.stderr).toBe(0);
    expect(await readFile(path.join(repo, 'mnist', '1', 'model.onnx'))).toEqual(await readFile(model));
    expect((await readFile(path.join(repo, 'mnist', 'labels.txt'), 'utf8')).trim().split('\n')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const config = await readFile(path.join(repo, 'mnist', 'config.pbtxt'), 'utf8');
    const flat = config.replace(/#.*\n/g, '').replace(/\s+/g, ' ').trim();
    expect(flat).toBe(
      'name: "mnist" platform: "onnxruntime_onnx" max_batch_size: 128 ' +
      'input [ { name: "pixels" data_type: TYPE_FP32 dims: [ 1, 28, 28 ] } ] ' +
      'output [ { name: "logits" data_type: TYPE_FP32 dims: [ 10 ] label_filename: "labels.txt" }, ' +
      '{ name: "probabilities" data_type: TYPE_FP32 dims: [ 10 ] label_filename: "labels.txt" }, ' +
      '{ name: "label" data_type: TYPE_INT64 dims: [ 1 ] reshape: { shape: [ ] } } ] ' +
      'dynamic_batching { max_queue_delay_microseconds: 100 } ' +
      'instance_group [ { count: 1 kind: KIND_CPU } ]',
    );
    // Written whole: no temporary files left beside them.
    expect((await readdir(path.join(repo, 'mnist'))).sort()).toEqual(['1', 'config.pbtxt', 'labels.txt']);
  });

  it('--kserve also writes an InferenceService for the repository, with the given storage URI', async () => {
    const repo = path.join(dir, 'kserve-repo'), manifest = path.join(dir, 'isvc.yaml');
    const r = exportCli(['--triton', repo, '--name', 'digits', '--kserve', manifest, '--storage-uri', 'gs://my-bucket/model-repository']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${manifest}`);
    expect(r.stdout).toContain(`upload ${repo} to gs://my-bucket/model-repository, then kubectl apply -f ${manifest}`);
    expect(parse(await readFile(manifest, 'utf8'))).toEqual({
      apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'digits' },
      spec: { predictor: { model: { modelFormat: { name: 'triton' }, protocolVersion: 'v2', storageUri: 'gs://my-bucket/model-repository' } } },
    });
    await readFile(path.join(repo, 'digits', 'config.pbtxt'));
  });

  it('--kserve without --storage-uri writes the placeholder and says to replace it', async () => {
    const manifest = path.join(dir, 'placeholder.yaml');
    const r = exportCli(['--triton', path.join(dir, 'placeholder-repo'), '--kserve', manifest, '--service-name', 'mnist-prod']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/put its URI in .*placeholder\.yaml's storageUri \(a placeholder now\)/);
    const isvc = parse(await readFile(manifest, 'utf8'));
    expect([isvc.metadata.name, isvc.spec.predictor.model.storageUri]).toEqual(['mnist-prod', STORAGE_URI_PLACEHOLDER]);
  });

  it.each([
    ['--name ..', ['--name', '..'], /option '--name <name>' argument '\.\.' is invalid\. model name "\.\." is a relative folder/],
    ['--name .', ['--name', '.'], /model name "\." is a relative folder/],
    ['--name a/b', ['--name', 'a/b'], /model name "a\/b" contains a path separator/],
    ['a model name KServe refuses', ['--name', 'mnist_v2', '--kserve', 'isvc.yaml'], /InferenceService name "mnist_v2" is not valid for KServe.*--service-name/],
  ])('%s: a clear error, and nothing written', async (_, args, message) => {
    const work = await mkdtemp(path.join(dir, 'refused-'));
    const r = exportCli(['--triton', 'repo/models', ...args], work);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(await readdir(work)).toEqual([]);
  });
});
