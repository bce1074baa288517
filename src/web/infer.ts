// onnxruntime-web in the page: WebGPU where the browser offers an adapter,
// otherwise WASM. Each backend is its own chunk, loaded on demand, and the
// runtime's .mjs/.wasm files come from our own server (/ort/), never a CDN.
import type { InferenceSession } from 'onnxruntime-web';
import { INPUT, OUTPUTS } from '../contract/artifact.js';
import { checkContract, toModelInput, type ModelContract } from '../contract/check.js';
import { readOnnxModel } from '../contract/onnx-reader.js';

export type Backend = 'webgpu' | 'wasm';
type Ort = typeof import('onnxruntime-web');

export interface Classifier {
  backend: Backend;
  threads: number;
  contract: ModelContract;
  /** One preprocessed 28x28 image (0 background .. 1 ink) -> class probabilities and the model's label. */
  classify(pixels: Float32Array): Promise<{ label: number; probabilities: Float32Array; ms: number }>;
}

interface GpuAdapter { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean }
interface GpuNavigator { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }

/**
 * Whether WebGPU offers a real GPU. A fallback adapter (a CPU implementation such as
 * SwiftShader) runs the programs correctly but far slower than WASM, so `auto` skips it;
 * ?backend=webgpu still uses it.
 */
export async function hasWebGpu(allowFallback = false): Promise<boolean> {
  const gpu = (navigator as Navigator & GpuNavigator).gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter != null && (allowFallback || !(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false));
  } catch {
    return false;
  }
}

async function fetchModel(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}${res.status === 404 ? ' (no trained model on the server?)' : ''}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadRuntime(backend: Backend, threads: number | undefined): Promise<Ort> {
  const ort = backend === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP + COEP
  // from our server). Without isolation ORT would warn and use one thread anyway.
  if (!crossOriginIsolated) ort.env.wasm.numThreads = 1;
  else if (threads) ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  return ort;
}

/**
 * Fetches the model, reads its contract from the metadata, creates a session and
 * runs it once (warm-up), so the first real drawing is answered at full speed.
 */
export async function loadClassifier(modelUrl: string | Uint8Array, opts: { backend?: Backend | 'auto'; threads?: number } = {}): Promise<Classifier> {
  const want = opts.backend ?? 'auto';
  // The model downloads while the runtime's script loads.
  const [bytes, { ort, backend }] = await Promise.all([
    typeof modelUrl === 'string' ? fetchModel(modelUrl) : modelUrl,
    (async () => {
      const backend: Backend = want === 'wasm' ? 'wasm' : (await hasWebGpu(want === 'webgpu')) ? 'webgpu' : 'wasm';
      return { ort: await loadRuntime(backend, opts.threads), backend };
    })(),
  ]);
  const model = readOnnxModel(bytes);
  const contract = checkContract(model.metadata, model); // the server's own check
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
  } catch (e) {
    if (backend === 'wasm') throw e;
    return loadClassifier(modelUrl, { ...opts, backend: 'wasm' }); // an adapter, but no usable device
  }

  const { rows, cols } = contract;
  const run = async (pixels: Float32Array) => {
    const input = new ort.Tensor(INPUT.dtype, toModelInput(pixels, contract), [1, 1, rows, cols]);
    const t0 = performance.now();
    const { probabilities: p, label: l } = OUTPUTS;
    const out = await session.run({ [contract.inputName]: input }, [p.name, l.name]);
    const ms = performance.now() - t0;
    const probabilities = (await out[p.name].getData()) as Float32Array;
    const label = Number(((await out[l.name].getData()) as BigInt64Array)[0]);
    return { label, probabilities, ms };
  };
  await run(new Float32Array(rows * cols));
  return { backend, threads: ort.env.wasm.numThreads ?? 1, contract, classify: run };
}
