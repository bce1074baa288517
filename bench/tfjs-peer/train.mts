// The notebook's recipe in TF.js, three ways: the idiomatic `model.fit`, a hand-written
// loop of `optimizer.minimize` steps, and that loop with the layers' gradients written out
// (loop-xnn, below). All: 784-128-64-10 MLP on logits, softmax cross-entropy,
// Adam(0.001, 0.9, 0.999, 1e-8), batch 64, reshuffled every epoch.
import * as tf from '@tensorflow/tfjs';

export interface Tensors {
  /** [60000, 784], already normalized. */
  xTrain: tf.Tensor2D;
  /** One-hot [60000, 10] float32: what `fit` and `softmaxCrossEntropy` take. */
  yTrain: tf.Tensor2D;
  xTest: tf.Tensor2D;
  /** Test labels as int32 [10000]. */
  yTest: tf.Tensor1D;
}

export interface Trained {
  epochSeconds: number[];
  accuracy: number;
}

const SIZES = [784, 128, 64, 10];
const BATCH = 64;
const SEED = 0;
// PyTorch's Adam eps; tf.train.adam would otherwise use the backend's epsilon (1e-7).
const adam = () => tf.train.adam(0.001, 0.9, 0.999, 1e-8);
// PyTorch's nn.Linear init: weights and biases both uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)).
const bound = (fanIn: number) => 1 / Math.sqrt(fanIn);
const softmaxCE = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits);

function accuracyOf(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.equal(tf.argMax(logits, 1), labels).sum().dataSync()[0] / labels.shape[0]);
}

export async function trainFit(d: Tensors, epochs: number): Promise<Trained> {
  const model = tf.sequential();
  for (let i = 1; i < SIZES.length; i++) {
    const init = (seed: number) => tf.initializers.randomUniform({ minval: -bound(SIZES[i - 1]), maxval: bound(SIZES[i - 1]), seed });
    model.add(tf.layers.dense({
      units: SIZES[i],
      inputShape: i === 1 ? [SIZES[0]] : undefined,
      activation: i < SIZES.length - 1 ? 'relu' : 'linear',
      kernelInitializer: init(SEED + 2 * i),
      biasInitializer: init(SEED + 2 * i + 1),
    }));
  }
  // A loss function on logits: the string losses would need a softmax layer and clip its output.
  model.compile({ optimizer: adam(), loss: softmaxCE });
  const epochSeconds: number[] = [];
  let start = 0;
  await model.fit(d.xTrain, d.yTrain, {
    batchSize: BATCH,
    epochs,
    shuffle: true,
    verbose: 0,
    // 'auto' would hand the main thread back to the browser every ~125 ms; nothing here needs it.
    yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async () => { start = performance.now(); },
      onEpochEnd: async () => { epochSeconds.push((performance.now() - start) / 1000); },
    },
  });
  const logits = model.predict(d.xTest) as tf.Tensor2D;
  const accuracy = accuracyOf(logits, d.yTest);
  logits.dispose();
  model.dispose();
  return { epochSeconds, accuracy };
}

type Linear = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
// Under autodiff TF.js unfuses a ReLU from the product anyway; the bias stays fused.
const plainLinear: Linear = (x, w, b) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b });

/**
 * The same layer with its gradient spelled out so that every product is untransposed:
 * TF.js's WASM matMul sends only those to XNNPACK and runs transposed ones (autodiff's
 * x^T.dy and dy.W^T) through a scalar loop, ~3x slower here even counting the explicit
 * transpose. Same gradients as autodiff's (checked equal on TF.js's CPU backend).
 */
function xnnLinear(needDx: boolean): Linear {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        // The first layer's input gradient is never used: skip its product.
        const dx = needDx ? tf.matMul(dy2, tf.transpose(ws)) : tf.zerosLike(xs);
        return [dx, tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
      },
    };
  });
  return (x, w, b) => f(x, w, b);
}

export async function trainLoop(d: Tensors, epochs: number, xnn: boolean): Promise<Trained> {
  const params: tf.Variable[] = [];
  for (let i = 1; i < SIZES.length; i++) {
    const b = bound(SIZES[i - 1]);
    params.push(tf.variable(tf.randomUniform([SIZES[i - 1], SIZES[i]], -b, b, 'float32', SEED + 2 * i)));
    params.push(tf.variable(tf.randomUniform([SIZES[i]], -b, b, 'float32', SEED + 2 * i + 1)));
  }
  const layers = params.length / 2;
  const dense = Array.from({ length: layers }, (_, i) => (xnn ? xnnLinear(i > 0) : plainLinear));
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor = x;
    for (let i = 0; i < layers; i++) {
      h = dense[i](h, params[2 * i], params[2 * i + 1]);
      if (i < layers - 1) h = tf.relu(h);
    }
    return h as tf.Tensor2D;
  };
  const optimizer = adam();
  const n = d.xTrain.shape[0];
  const order = new Int32Array(n).map((_, i) => i);
  const epochSeconds: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const start = performance.now();
    tf.util.shuffle(order);
    for (let s = 0; s < n; s += BATCH) {
      tf.tidy(() => {
        // The batch is gathered from the resident dataset tensor, as fit does and as our ONNX graph does.
        const idx = tf.tensor1d(order.subarray(s, Math.min(n, s + BATCH)), 'int32');
        const x = tf.gather(d.xTrain, idx), y = tf.gather(d.yTrain, idx);
        optimizer.minimize(() => softmaxCE(y, forward(x)) as tf.Scalar, false, params);
      });
    }
    // The WASM backend runs kernels synchronously, so the epoch is done here; reading one weight proves it.
    await params[params.length - 1].data();
    epochSeconds.push((performance.now() - start) / 1000);
  }
  const accuracy = tf.tidy(() => accuracyOf(forward(d.xTest), d.yTest));
  optimizer.dispose();
  tf.dispose(params);
  return { epochSeconds, accuracy };
}
