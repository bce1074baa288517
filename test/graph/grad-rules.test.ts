// Every gradient rule against central finite differences in float64. The cases
// table is keyed by the differentiable ops of GRAD_RULES, so the compiler refuses
// a new rule until it has a case here.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradients } from '../../src/graph/autodiff.js';
import { Graph, type Value } from '../../src/graph/graph.js';
import { GRAD_RULES, type GradRule } from '../../src/graph/grad-rules.js';
import * as op from '../../src/graph/ops.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mulberry32 } from '../../src/train/random.js';

type Rules = typeof GRAD_RULES;
type DiffOp = { [K in keyof Rules]: Rules[K] extends GradRule ? K : never }[keyof Rules];
type Domain = 'any' | 'positive' | 'awayFromZero';
interface Case { name?: string; inputs: [number[], Domain?][]; build: (xs: Value[]) => Value }

const c = (build: Case['build'], ...inputs: [number[], Domain?][]): Case => ({ inputs, build });
const gemmCase = (transA: 0 | 1, transB: 0 | 1): Case => ({
  name: `transA=${transA} transB=${transB}`,
  inputs: [[transA ? [4, 3] : [3, 4]], [transB ? [2, 4] : [4, 2]], [[2]]],
  build: ([a, b, bias]) => op.gemm(a, b, bias, { alpha: 0.7, beta: 1.3, transA, transB }),
});

const CASES: Record<DiffOp, Case[]> = {
  Add: [c(([a, b]) => op.add(a, b), [[3, 4]], [[4]]), c(([a, b]) => op.add(a, b), [[3, 1]], [[1, 4]])],
  Sub: [c(([a, b]) => op.sub(a, b), [[3, 4]], [[3, 1]])],
  Mul: [c(([a, b]) => op.mul(a, b), [[2, 3]], [[1, 3]])],
  Div: [c(([a, b]) => op.div(a, b), [[2, 3]], [[3], 'positive'])],
  Pow: [c(([a, b]) => op.pow(a, b), [[2, 3], 'positive'], [[]])],
  Relu: [c(([x]) => op.relu(x), [[3, 4], 'awayFromZero'])],
  Exp: [c(([x]) => op.exp(x), [[5]])],
  Log: [c(([x]) => op.log(x), [[5], 'positive'])],
  Neg: [c(([x]) => op.neg(x), [[5]])],
  Sqrt: [c(([x]) => op.sqrt(x), [[5], 'positive'])],
  Sigmoid: [c(([x]) => op.sigmoid(x), [[5]])],
  Tanh: [c(([x]) => op.tanh(x), [[5]])],
  Identity: [c(([x]) => op.identity(x), [[2, 2]])],
  Cast: [c(([x]) => op.cast(x, 'double'), [[3]])],
  Gemm: [gemmCase(0, 0), gemmCase(0, 1), gemmCase(1, 0), gemmCase(1, 1)],
  MatMul: [c(([a, b]) => op.matmul(a, b), [[3, 4]], [[4, 2]])],
  Transpose: [c(([x]) => op.transpose(x, [1, 2, 0]), [[2, 3, 4]])],
  ReduceSum: [
    c(([x]) => op.reduceSum(x, [1], 0), [[2, 3, 4]]),
    c(([x]) => op.reduceSum(x, [0, 2], 1), [[2, 3, 4]]),
    c(([x]) => op.reduceSum(x, undefined, 0), [[2, 3]]),
  ],
  ReduceMean: [c(([x]) => op.reduceMean(x, [1], 0), [[2, 3, 4]]), c(([x]) => op.reduceMean(x, undefined, 1), [[2, 3]])],
  LogSoftmax: [c(([x]) => op.logSoftmax(x, -1), [[3, 5]]), c(([x]) => op.logSoftmax(x, 0), [[3, 5]])],
  Softmax: [c(([x]) => op.softmax(x, -1), [[3, 5]]), c(([x]) => op.softmax(x, 0), [[3, 5]])],
  Reshape: [c(([x]) => op.reshape(x, [3, 4]), [[2, 6]])],
  Flatten: [c(([x]) => op.flatten(x, 1), [[2, 3, 2]])],
  Unsqueeze: [c(([x]) => op.unsqueeze(x, [0, 2]), [[3, 2]])],
  Expand: [c(([x]) => op.expand(x, x.graph.constant('int64', [2, 3, 4]), [2, 3, 4]), [[3, 1]])],
  Where: [c(([a, b]) => op.where(op.greater(a.graph.constant('double', [1, -1, 1, -1, -1, 1], [2, 3]), 0), a, b), [[2, 3]], [[3]])],
  Concat: [c(([a, b]) => op.concat([a, b], 1), [[2, 3]], [[2, 1]])],
  SoftmaxCrossEntropyLoss: [
    { name: 'loss', ...c(([z]) => op.softmaxCrossEntropyLoss(z, z.graph.constant('int64', [1, 0, 3], [3]))[0], [[3, 4]]) },
    { name: 'log_prob', ...c(([z]) => op.softmaxCrossEntropyLoss(z, z.graph.constant('int32', [2, 2], [2]))[1], [[2, 5]]) },
    { name: 'both', ...c(([z]) => {
      const [loss, logp] = op.softmaxCrossEntropyLoss(z, z.graph.constant('int64', [0, 4], [2]));
      return op.add(logp, loss);
    }, [[2, 5]]) },
  ],
};

function sample(shape: number[], domain: Domain, rand: () => number): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: n }, () => {
    const u = rand() * 2 - 1;
    if (domain === 'positive') return 0.5 + Math.abs(u) * 1.5;
    if (domain === 'awayFromZero') return Math.sign(u || 1) * (0.2 + Math.abs(u));
    return u * 1.5;
  });
}

async function check(k: Case) {
  const rand = mulberry32(1234);
  const g = new Graph('fd');
  const xs = k.inputs.map(([shape], i) => g.input(`x${i}`, 'double', shape));
  const y = k.build(xs);
  const dims = y.shape as number[];
  const r = g.constant('double', Array.from(sample(dims, 'any', rand)), dims);
  const loss = op.reduceSum(op.mul(y, r), undefined, 0);
  const grads = gradients(loss, xs);
  g.output(['loss', loss], ...grads.map((d, i): [string, Value] => [`d${i}`, d]));
  const session = await ort.InferenceSession.create(serializeModel(g));
  const values = k.inputs.map(([shape, dom]) => sample(shape, dom ?? 'any', rand));
  const feeds = () => Object.fromEntries(values.map((v, i) => [`x${i}`, new ort.Tensor('float64', v, k.inputs[i][0])]));
  const analytic = await session.run(feeds());
  const h = 1e-6;
  for (let i = 0; i < values.length; i++) {
    const d = analytic[`d${i}`].data as Float64Array;
    expect(d.length).toBe(values[i].length);
    for (let j = 0; j < values[i].length; j++) {
      const x0 = values[i][j];
      values[i][j] = x0 + h;
      const up = (await session.run(feeds(), ['loss'])).loss.data[0] as number;
      values[i][j] = x0 - h;
      const down = (await session.run(feeds(), ['loss'])).loss.data[0] as number;
      values[i][j] = x0;
      const numeric = (up - down) / (2 * h);
      expect(Math.abs(d[j] - numeric), `input ${i}[${j}]: analytic ${d[j]} vs numeric ${numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  }
}

describe('gradient rules match central finite differences (float64)', () => {
  for (const [opType, cases] of Object.entries(CASES)) {
    for (const k of cases) it(`${opType}${k.name ? ` (${k.name})` : ''} ${k.inputs.map(([s]) => `[${s}]`).join(' ')}`, () => check(k));
  }
});
