// An independent plain-TypeScript float64 reference of one training step: forward,
// softmax cross-entropy, backward and PyTorch's Adam, written from the formulas
// without the graph builder, to check the ONNX training graph against.
export interface RefLayer { w: Float64Array; b: Float64Array; out: number; in: number }
export interface RefAdam { lr: number; beta1: number; beta2: number; eps: number }

export function refStep(layers: RefLayer[], x: Float64Array, labels: number[], m: Float64Array[], v: Float64Array[], t: number, a: RefAdam) {
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
  loss /= n;
  const grads: { w: Float64Array; b: Float64Array }[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l], h = acts[l];
    const gw = new Float64Array(L.out * L.in), gb = new Float64Array(L.out), dh = new Float64Array(n * L.in);
    for (let i = 0; i < n; i++) for (let o = 0; o < L.out; o++) {
      const d = dz[i * L.out + o];
      gb[o] += d;
      for (let k = 0; k < L.in; k++) { gw[o * L.in + k] += d * h[i * L.in + k]; dh[i * L.in + k] += d * L.w[o * L.in + k]; }
    }
    grads[l] = { w: gw, b: gb };
    if (l > 0) dz = dh.map((d, j) => (pre[l - 1][j] > 0 ? d : 0));
  }
  // torch.optim.Adam, step t (1-based), no weight decay, no amsgrad.
  const flatP = layers.flatMap((L) => [L.w, L.b]);
  const flatG = grads.flatMap((g) => [g.w, g.b]);
  const bc1 = 1 - a.beta1 ** t, bc2 = 1 - a.beta2 ** t;
  flatP.forEach((p, j) => {
    for (let k = 0; k < p.length; k++) {
      const g = flatG[j][k];
      m[j][k] = a.beta1 * m[j][k] + (1 - a.beta1) * g;
      v[j][k] = a.beta2 * v[j][k] + (1 - a.beta2) * g * g;
      p[k] -= (a.lr / bc1) * m[j][k] / (Math.sqrt(v[j][k]) / Math.sqrt(bc2) + a.eps);
    }
  });
  return loss;
}
