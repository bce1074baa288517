// What one training step can cost on onnxruntime-web's WASM build at one thread, part by
// part, in Node (the same WASM as the page; in Chromium these measured the same): the
// step's 8 matrix products alone, the Adam update alone (the 2 groups of a 1-thread
// target), and the whole unrolled training program, each as 20 steps per call, beside
// onnxruntime-node running the same three graphs. Prints a markdown section.
//   npx tsx bench/wasm-floor.ts
import { cpus } from 'node:os';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { IMAGE_SIZE, NORMALIZATION, NUM_CLASSES } from '../src/data/mnist-spec.js';
import { Graph, type Value } from '../src/graph/graph.js';
import { add } from '../src/graph/ops.js';
import { serializeModel } from '../src/graph/serialize.js';
import { mlp } from '../src/model/mlp.js';
import { adam } from '../src/optim/adam.js';
import { loopGroups } from '../src/optim/state-layout.js';
import { median } from '../src/node/run.js';
import { buildTrainUnrolled } from '../src/programs/train-unrolled.js';
import { TRAIN_DEFAULTS } from '../src/train/config.js';
import { stepProducts } from './matmul-floor.js';

const K = 20, B = TRAIN_DEFAULTS.batchSize, CALLS = Number(process.env.CALLS ?? 25);
const sizes = [IMAGE_SIZE, ...TRAIN_DEFAULTS.hidden, NUM_CLASSES];
const model = mlp(IMAGE_SIZE, TRAIN_DEFAULTS.hidden, NUM_CLASSES), opt = adam();
ortWeb.env.wasm.numThreads = 1;

/** The 8 products of a forward+backward step, K times, each step's weight gradients added to its weights. */
function products(): Graph {
  const g = new Graph('products');
  const x = g.input('x', 'float', [B, sizes[0]]);
  let ws = sizes.slice(1).map((n, l) => g.input(`w${l}`, 'float', [n, sizes[l]]));
  const bs = sizes.slice(1).map((n, l) => g.input(`b${l}`, 'float', [n]));
  // Each step's weights depend on the last one's gradients, or ORT would merge the steps' identical products.
  for (let k = 0; k < K; k++) ws = stepProducts(x, ws, bs).map((d, l) => add(ws[l], d));
  g.output(...ws.map((w, l): [string, Value] => [`w${l}_out`, w]));
  return g;
}

/** Adam over the parameter groups, K steps with a fixed gradient. */
function adamOnly(): Graph {
  const g = new Graph('adam_only');
  const groups = loopGroups(model.layout, 1);
  const scalars = { alpha: g.input('alpha', 'float', []), epsHat: g.input('eps_hat', 'float', []) };
  const io = (k: string) => groups.map((p, i) => g.input(`${k}${i}`, 'float', [p.size]));
  let [ps, ms, vs] = [io('p'), io('m'), io('v')];
  const grads = io('g');
  for (let k = 0; k < K; k++) {
    const u = ps.map((p, i) => opt.update(p, grads[i], { exp_avg: ms[i], exp_avg_sq: vs[i] }, scalars));
    [ps, ms, vs] = [u.map((x) => x.param), u.map((x) => x.slots.exp_avg), u.map((x) => x.slots.exp_avg_sq)];
  }
  g.output(...ps.map((p, i): [string, Value] => [`p${i}_out`, p]), ...ms.map((m, i): [string, Value] => [`m${i}_out`, m]), ...vs.map((v, i): [string, Value] => [`v${i}_out`, v]));
  return g;
}

const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * scale);

/** Feeds as in training: small random weights and gradients, zero moments, one-hot targets, pixel values, step 100's scalars. */
function feedsFor(g: Graph): Record<string, { data: Float32Array; dims: number[] }> {
  const scalars = opt.scalarValues(100);
  const valueOf = (name: string, n: number): Float32Array => {
    if (name === 'targets') return Float32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
    if (name === 'pixels') return rand(n, 510).map(Math.abs);
    if (name === 'alpha' || name === 'scalar_alpha') return new Float32Array(n).fill(scalars.alpha);
    if (name === 'eps_hat' || name === 'scalar_epsHat') return new Float32Array(n).fill(scalars.epsHat);
    // NOTE: moments start at zero; random ones would make v negative, sqrt(v) NaN, and the timing meaningless.
    if (/^(m|v)\d|^exp_avg/.test(name)) return new Float32Array(n);
    return rand(n, 0.1);
  };
  return Object.fromEntries(g.inputs.map((v) => {
    const dims = v.shape as number[];
    return [v.name, { data: valueOf(v.name, dims.reduce((a, b) => a * b, 1)), dims }];
  }));
}

type Ort = typeof ortNode | typeof ortWeb;
async function msPerStep(ort: Ort, g: Graph, ep: string): Promise<number> {
  const s = await ort.InferenceSession.create(serializeModel(g), { executionProviders: [ep], graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(Object.entries(feedsFor(g)).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const times: number[] = [];
  for (let i = 0; i < CALLS + 3; i++) {
    const t = performance.now();
    await s.run(feeds as never);
    if (i >= 3) times.push((performance.now() - t) / K); // the first calls: WASM still tiering up
  }
  await s.release();
  return median(times);
}

const graphs: [string, Graph][] = [
  ['the 8 matrix products', products()],
  ['the Adam update (109,386 parameters, 2 groups)', adamOnly()],
  ['the whole training step (unrolled program)', buildTrainUnrolled(model, opt, NORMALIZATION, { ep: 'wasm', threads: 1 }, K, B)],
];
console.log(`### One training step by part (${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model}, 1 thread, ${K} steps a call, median of ${CALLS} calls)\n`);
console.log('| graph | onnxruntime-node (ms/step) | onnxruntime-web WASM (ms/step) | WASM / node |\n|---|---|---|---|');
for (const [name, g] of graphs) {
  const [native, wasm] = [await msPerStep(ortNode, g, 'cpu'), await msPerStep(ortWeb, g, 'wasm')];
  console.log(`| ${name} | ${native.toFixed(3)} | ${wasm.toFixed(3)} | ${(wasm / native).toFixed(2)} |`);
}
