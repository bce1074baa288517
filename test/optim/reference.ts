// An independent plain-TypeScript float64 reference of one training step: the MLP's
// forward, softmax cross-entropy and backward, then PyTorch's optimizers, written from
// the formulas without the graph builder, to check the ONNX training programs against.
export interface RefLayer { w: Float64Array; b: Float64Array; out: number; in: number }

/** Mean cross-entropy of the batch and the gradient of every tensor, in layer order [w1, b1, w2, ...]. */
export function refGradients(layers: RefLayer[], x: Float64Array, labels: number[]): { loss: number; grads: Float64Array[] } {
  const n = labels.length;
  const acts: Float64Array[] = [x];
  const pre: Float64Array[] = [];
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l], h = acts[l], z = new Float64Array(n * L.out);
    for (let i = 0; i < n; i++) for (let o = 0; o < L.out; o++) {
      let s = L.b[o];
      for (let k = 0; k < L.in; k++) s += h[i * L.in + k] * L.w[o * L.in + k];
      z[i * L.out + o] = s;
    }
    pre.push(z);
    acts.push(l < layers.length - 1 ? z.map((q) => Math.max(0, q)) : z);
  }
  const logits = acts[layers.length], C = layers[layers.length - 1].out;
  let loss = 0;
  let dz = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * C, (i + 1) * C);
    const mx = Math.max(...row);
    const se = row.reduce((s, q) => s + Math.exp(q - mx), 0);
    loss -= row[labels[i]] - mx - Math.log(se);
    for (let c = 0; c < C; c++) dz[i * C + c] = (Math.exp(row[c] - mx) / se - (c === labels[i] ? 1 : 0)) / n;
  }
  const grads: Float64Array[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l], h = acts[l];
    const gw = new Float64Array(L.out * L.in), gb = new Float64Array(L.out), dh = new Float64Array(n * L.in);
    for (let i = 0; i < n; i++) for (let o = 0; o < L.out; o++) {
      const d = dz[i * L.out + o];
      gb[o] += d;
      for (let k = 0; k < L.in; k++) { gw[o * L.in + k] += d * h[i * L.in + k]; dh[i * L.in + k] += d * L.w[o * L.in + k]; }
    }
    grads[2 * l] = gw;
    grads[2 * l + 1] = gb;
    if (l > 0) dz = dh.map((d, j) => (pre[l - 1][j] > 0 ? d : 0));
  }
  return { loss: loss / n, grads };
}

/**
 * One optimizer step in place over flat float64 vectors, PyTorch's semantics, state
 * by PyTorch's slot names. Returns each parameter's update bound: how far float32
 * rounding of the inputs (|dm| where the moments differ) may move that parameter.
 */
export interface RefOptimizer {
  slots: string[];
  step(p: Float64Array, g: Float64Array, state: Record<string, Float64Array>, t: number): void;
  /** How much a float32 rounding error `dSlot` in the slots may change parameter i's step. */
  sensitivity(i: number, state: Record<string, Float64Array>, dSlots: Record<string, number>, t: number): number;
}

/** torch.optim.Adam, no weight decay, no amsgrad; t is 1-based. */
export function refAdam(a: { lr: number; beta1: number; beta2: number; eps: number }): RefOptimizer {
  return {
    slots: ['exp_avg', 'exp_avg_sq'],
    step(p, g, { exp_avg: m, exp_avg_sq: v }, t) {
      const bc1 = 1 - a.beta1 ** t, bc2 = 1 - a.beta2 ** t;
      for (let k = 0; k < p.length; k++) {
        m[k] = a.beta1 * m[k] + (1 - a.beta1) * g[k];
        v[k] = a.beta2 * v[k] + (1 - a.beta2) * g[k] * g[k];
        p[k] -= (a.lr / bc1) * m[k] / (Math.sqrt(v[k]) / Math.sqrt(bc2) + a.eps);
      }
    },
    // NOTE: where |g| is near eps, Adam turns a tiny float32 rounding of g into a visible
    // change of the step, so each parameter may differ by what its moment error explains.
    sensitivity: (i, { exp_avg_sq: v }, d, t) => (4 * a.lr / (1 - a.beta1 ** t)) * d.exp_avg / (Math.sqrt(v[i] / (1 - a.beta2 ** t)) + a.eps),
  };
}

/** torch.optim.SGD with momentum, dampening 0, no Nesterov, no weight decay. */
export function refSgd(o: { lr: number; momentum: number }): RefOptimizer {
  return {
    slots: ['momentum_buffer'],
    step(p, g, { momentum_buffer: buf }, t) {
      for (let k = 0; k < p.length; k++) {
        buf[k] = t === 1 ? g[k] : o.momentum * buf[k] + g[k]; // PyTorch: the first buffer is a copy of the gradient
        p[k] -= o.lr * buf[k];
      }
    },
    sensitivity: (_i, _s, d) => o.lr * d.momentum_buffer,
  };
}
