// Choosing where ONNX Runtime runs, and saying clearly when that place is missing:
// a GPU that was asked for never turns silently into the CPU.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export class ExecutionProviderError extends Error {}

const CUDA_HOWTO = [
  'onnxruntime-node was installed without its CUDA provider (this project\'s .npmrc skips the download).',
  'To train on an NVIDIA GPU: install CUDA 12 and cuDNN 9, then run',
  '  ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node',
  'or place libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so of the same ONNX Runtime version beside',
].join('\n');

/** The folder that holds onnxruntime-node's native binding (and, when installed, its GPU providers). */
export function ortBinaryDir(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  const napi = ['napi-v6', 'napi-v3'].map((v) => path.join(path.dirname(pkg), 'bin', v, process.platform, process.arch));
  return napi.find((d) => existsSync(d)) ?? napi[0];
}

/** Throws with install instructions when the provider cannot possibly load. */
export function checkProviderInstalled(ep: ExecutionProvider): void {
  if (ep !== 'cuda') return;
  const dir = ortBinaryDir();
  const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) throw new ExecutionProviderError(`--ep cuda: ${missing.join(', ')} not found.\n${CUDA_HOWTO}\n  ${dir}`);
}

export interface SessionConfig {
  ep: ExecutionProvider;
  threads: number;
  verbose?: boolean;
  /** Pool threads spin between ops (fast for the training loop); off for rarely run sessions, whose spinning would steal a core. */
  spin?: boolean;
}

/** Threads for a short, once-in-a-while session beside training (evaluation, the artifact check): up to 2. */
export const sideThreads = () => Math.min(2, availableParallelism());

export function sessionOptions(c: SessionConfig): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [c.ep],
    intraOpNumThreads: c.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: c.verbose ? 0 : 3,
    logVerbosityLevel: c.verbose ? 1 : 0,
    // NOTE: without this, Adam's second moments go subnormal after a few epochs and each epoch slows by ~30%.
    extra: { session: { set_denormal_as_zero: '1', 'intra_op.allow_spinning': c.spin === false ? '0' : '1' } },
  } as ort.InferenceSession.SessionOptions;
}

export async function createSession(model: Uint8Array, c: SessionConfig): Promise<ort.InferenceSession> {
  checkProviderInstalled(c.ep);
  try {
    return await ort.InferenceSession.create(model, sessionOptions(c));
  } catch (e) {
    if (c.ep === 'cpu') throw e;
    const why = (e as Error).message.split('\n')[0];
    const hint = c.ep === 'cuda'
      ? 'The CUDA provider is installed but did not start: the CUDA 12 runtime, cuBLAS, cuRAND and cuDNN 9 libraries must be on LD_LIBRARY_PATH, and a GPU visible.'
      : 'The WebGPU provider needs a GPU adapter (Vulkan on Linux: the libvulkan1 package and a GPU driver).';
    throw new ExecutionProviderError(`--ep ${c.ep}: could not create a session: ${why}\n${hint}\nNot falling back to the CPU: run with --ep cpu to train there.`);
  }
}
