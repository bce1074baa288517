// GPU smoke test, independent of the project CLI: builds a tiny MLP forward
// graph (MatMul/Add/Relu/MatMul/Softmax) in memory with onnx-proto, runs it on
// one execution provider and compares against the CPU provider.
//
//   node bench/gpu/smoke.cjs <app-dir> <ep> [--verbose]
//
// <app-dir> is a folder whose node_modules hold onnxruntime-node and
// onnx-proto (the bundle's app/ folder, or the repository root).
// Prints one JSON line {"smoke":ep,...} on stdout; exit 0 = ok, 1 = failure.
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const [appDir, ep = 'cpu', ...flags] = process.argv.slice(2);
if (!appDir) {
  console.error('usage: node smoke.cjs <app-dir> <cpu|cuda|webgpu> [--verbose]');
  process.exit(2);
}
const req = createRequire(path.join(path.resolve(appDir), 'package.json'));
const ort = req('onnxruntime-node');
const { onnx } = req('onnx-proto');
const verbose = flags.includes('--verbose');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function tensor(name, dims, data) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  });
}

function valueInfo(name, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

function buildModel() {
  const r = rng(42);
  const fill = (n, scale) => Float32Array.from({ length: n }, () => r() * scale);
  const graph = onnx.GraphProto.create({
    name: 'smoke_mlp',
    node: [
      { opType: 'MatMul', input: ['x', 'w1'], output: ['h0'], name: 'mm1' },
      { opType: 'Add', input: ['h0', 'b1'], output: ['h1'], name: 'add1' },
      { opType: 'Relu', input: ['h1'], output: ['h2'], name: 'relu1' },
      { opType: 'MatMul', input: ['h2', 'w2'], output: ['h3'], name: 'mm2' },
      { opType: 'Add', input: ['h3', 'b2'], output: ['logits'], name: 'add2' },
      { opType: 'Softmax', input: ['logits'], output: ['y'], name: 'softmax', attribute: [{ name: 'axis', i: -1, type: onnx.AttributeProto.AttributeType.INT }] },
    ].map((n) => onnx.NodeProto.create(n)),
    initializer: [
      tensor('w1', [784, 256], fill(784 * 256, 0.1)),
      tensor('b1', [256], fill(256, 0.1)),
      tensor('w2', [256, 10], fill(256 * 10, 0.1)),
      tensor('b2', [10], fill(10, 0.1)),
    ],
    input: [valueInfo('x', ['N', 784])],
    output: [valueInfo('y', ['N', 10])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnx-mnist-gpu-smoke',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

async function main() {
  const t0 = Date.now();
  const result = { smoke: ep, ok: false, ortVersion: ort.env && ort.env.versions, backends: null };
  try {
    result.backends = ort.listSupportedBackends ? ort.listSupportedBackends() : null;
  } catch (e) {
    result.backends = String(e);
  }
  const modelBytes = buildModel();
  const batch = 1024;
  const r = rng(7);
  const x = Float32Array.from({ length: batch * 784 }, () => r() + 0.5);
  const feeds = () => ({ x: new ort.Tensor('float32', x, [batch, 784]) });
  try {
    const ref = await ort.InferenceSession.create(modelBytes, { executionProviders: ['cpu'] });
    const refOut = (await ref.run(feeds())).y.data;
    const tc = Date.now();
    const sess = await ort.InferenceSession.create(modelBytes, {
      executionProviders: [ep],
      logSeverityLevel: verbose ? 0 : 2,
      logVerbosityLevel: 0,
    });
    result.createMs = Date.now() - tc;
    let out = (await sess.run(feeds())).y.data; // warm-up
    const iters = 50;
    const tr = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) out = (await sess.run(feeds())).y.data;
    result.runMsPerIter = Number(process.hrtime.bigint() - tr) / 1e6 / iters;
    let maxDiff = 0;
    for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - refOut[i]));
    result.maxAbsDiffVsCpu = maxDiff;
    result.ok = Number.isFinite(maxDiff) && maxDiff < 1e-3;
    await sess.release();
    await ref.release();
  } catch (e) {
    result.error = String((e && e.stack) || e).slice(0, 2000);
  }
  result.totalMs = Date.now() - t0;
  console.log(JSON.stringify(result));
  process.exitCode = result.ok ? 0 : 1;
}

main();
