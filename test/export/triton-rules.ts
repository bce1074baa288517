// What Triton answers for a model configuration, transcribed from its server code
// (github.com/triton-inference-server/core, read at commit 73aad7c3348d), so a test can
// put `onnx-mnist serve`'s answers beside Triton's without a Triton to run:
// - GET /v2/models/{name}: TRITONSERVER_ServerModelMetadata (src/tritonserver.cc);
// - infer output shapes: InferenceResponse::AddOutput and Output::Reshape (src/infer_response.cc).
// NOTE: a model of Triton, not Triton. It covers the fields this exporter writes and the
// onnxruntime backend's behaviour for them (it keeps a config that lists every input and
// output as it is); it is no substitute for running the repository on Triton once.
import type { TritonConfig, TritonTensorConfig } from './triton-config.js';

/** DataTypeToProtocolString (triton common): TYPE_FP32 -> FP32, TYPE_STRING -> BYTES. */
const protocolType = (t: string) => (t === 'TYPE_STRING' ? 'BYTES' : t.replace(/^TYPE_/, ''));

/** The metadata answer for a repository whose only version, `versions`, is loaded. */
export function tritonMetadata(config: TritonConfig, versions: string[]) {
  const batched = (config.max_batch_size ?? 0) >= 1;
  const tensor = (t: TritonTensorConfig) => ({ name: t.name, datatype: protocolType(t.data_type), shape: [...(batched ? [-1] : []), ...t.dims] });
  return {
    name: config.name,
    versions,
    // Triton reports the platform, or the backend when no platform is set.
    platform: config.platform || config.backend,
    inputs: config.input.map(tensor),
    outputs: config.output.map(tensor),
  };
}

/** The shape of an output in Triton's answer, given the shape the backend produced (ONNX Runtime's). */
export function tritonOutputShape(config: TritonConfig, output: string, backendShape: readonly number[]): number[] {
  const t = config.output.find((o) => o.name === output);
  if (!t) throw new Error(`config has no output ${output}`);
  if (!t.reshape) return [...backendShape];
  const batched = (config.max_batch_size ?? 0) > 0;
  const offset = batched ? 1 : 0;
  // Wildcard dims take, in order, the backend's sizes at the reshape's wildcard positions.
  const wild = (t.reshape.shape ?? []).flatMap((d, i) => (d === -1 ? [backendShape[i + offset]] : []));
  return [...(batched ? [backendShape[0]] : []), ...t.dims.map((d) => (d === -1 ? wild.shift()! : d))];
}
