// The TF.js peer's page: loads MNIST from the bench server with our page's own loader,
// starts TF.js on its WASM backend with the thread count asked for, trains, and answers
// Node. Bundled at bench time by bench/tfjs-peer.ts; each configuration runs in a fresh
// page because the WASM backend's thread count is fixed when the backend first starts.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { IMAGE_SIZE, NORMALIZATION, NUM_CLASSES } from '../../src/data/mnist-spec.js';
import { loadMnist } from '../../src/web/mnist-data.js';
import { RUN_GLOBAL, type PeerOptions, type PeerResult, type RunPeer } from './protocol.js';
import { trainFit, trainLoop, type Tensors } from './train.mjs';

/** Pixels to the model's input, normalized once up front: the timed epochs then only gather batches. */
function inputs(pixels: Uint8Array): tf.Tensor2D {
  const x = new Float32Array(pixels.length);
  const { mean, std } = NORMALIZATION;
  for (let i = 0; i < x.length; i++) x[i] = (pixels[i] / 255 - mean) / std;
  return tf.tensor2d(x, [pixels.length / IMAGE_SIZE, IMAGE_SIZE]);
}

async function loadTensors(): Promise<Tensors> {
  const { train, test } = await loadMnist();
  return {
    xTrain: inputs(train.images),
    yTrain: tf.oneHot(tf.tensor1d(train.labels, 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D,
    xTest: inputs(test.images),
    yTest: tf.tensor1d(test.labels, 'int32'),
  };
}

const run: RunPeer = async (o: PeerOptions): Promise<PeerResult> => {
  const t0 = performance.now();
  // Shown with TFJS_PEER_VERBOSE=1: where a slow configuration spent its untimed setup.
  const log = (what: string) => console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  if (o.build === 'simd') {
    if (o.threads !== 1) throw new Error('the single-threaded SIMD build has one thread');
    // TF.js takes the threaded build whenever the page could run it; this flag is its only switch.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  // TF.js caps its thread pool at hardwareConcurrency / 2 (it assumes two hyperthreads a core),
  // so on 2 vCPUs it would run 1 thread whatever is asked: claim enough cores for the count asked.
  if (o.threads > navigator.hardwareConcurrency / 2) {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * o.threads });
  }
  setWasmPaths('/wasm/'); // our server's copies from node_modules: never a CDN
  setThreadsCount(o.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its WASM backend');
  await tf.ready();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const multithread = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  const flavour = simd && multithread ? 'threaded-simd' : simd ? 'simd' : 'plain';
  if (getThreadsCount() !== o.threads) throw new Error(`asked for ${o.threads} threads, TF.js runs ${getThreadsCount()}`);

  log('backend ready');
  const data = await loadTensors();
  log('data ready');
  const { epochSeconds, accuracy } = o.mode === 'fit' ? await trainFit(data, o.epochs) : await trainLoop(data, o.epochs, o.mode === 'loop-xnn');
  log('trained');
  tf.dispose(Object.values(data));
  return {
    epochSeconds, accuracy, simd, multithread, flavour, threads: getThreadsCount(), mode: o.mode,
    crossOriginIsolated: self.crossOriginIsolated, tfjsVersion: tf.version.tfjs,
  };
};

(globalThis as unknown as Record<string, RunPeer>)[RUN_GLOBAL] = run;
