// The generated config.pbtxt against Triton's model configuration schema (our
// transcription in test/fixtures/triton-model-config.proto), parsed by Debian's protoc:
// any field or enum value outside the schema fails, as it would fail Triton's load.
import { beforeAll, describe, expect, it } from 'vitest';
import { tritonConfig, type TritonOptions } from '../../src/export/triton.js';
import { loadModel, type ModelSpec } from '../../src/serve/model.js';
import { trainedModel } from '../serve/helpers.js';
import { encodeConfig, parseConfig } from './triton-config.js';

const OPTIONS: TritonOptions = { name: 'mnist', maxBatchSize: 128, maxQueueDelayUs: 250, instances: 2 };
let spec: ModelSpec;
let config: string;
beforeAll(async () => {
  spec = (await loadModel(trainedModel())).spec;
  config = tritonConfig(spec, OPTIONS);
});

describe('config.pbtxt against Triton\'s schema', () => {
  it('parses, and says what the exporter meant: platform, batching, tensors with the label reshape, instances', () => {
    expect(parseConfig(config)).toEqual({
      name: 'mnist',
      platform: 'onnxruntime_onnx',
      max_batch_size: 128,
      input: [{ name: 'pixels', data_type: 'TYPE_FP32', dims: [1, 28, 28] }],
      output: [
        { name: 'logits', data_type: 'TYPE_FP32', dims: [10], label_filename: 'labels.txt' },
        { name: 'probabilities', data_type: 'TYPE_FP32', dims: [10], label_filename: 'labels.txt' },
        // An empty reshape is still a reshape: Triton sees has_reshape() and gives the model [N].
        { name: 'label', data_type: 'TYPE_INT64', dims: [1], reshape: { shape: [] } },
      ],
      dynamic_batching: { max_queue_delay_microseconds: 250 },
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
    });
  });

  it('quotes a model name that needs it, so the config still parses to that name', () => {
    expect(parseConfig(tritonConfig(spec, { ...OPTIONS, name: 'say "hi" ünïcode' })).name).toBe('say "hi" ünïcode');
  });

  it('the check fails on a field outside the schema', () => {
    const r = encodeConfig(config.replace('max_batch_size: 128', 'max_batch_size: 128\nmax_batch_sise: 1'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/no field named "max_batch_sise"/);
    // A real Triton field the exporter does not write is outside the schema too: adding one means transcribing it.
    expect(encodeConfig(config.replace('platform: "onnxruntime_onnx"', 'backend: "onnxruntime"')).ok).toBe(false);
  });

  it('the check fails on an enum value outside the schema', () => {
    const r = encodeConfig(config.replace('data_type: TYPE_INT64', 'data_type: TYPE_INT46'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/Unknown enumeration value of "TYPE_INT46"/);
    expect(encodeConfig(config.replace('kind: KIND_CPU', 'kind: KIND_TPU')).ok).toBe(false);
  });
});
