// Reads an inference artifact's contract (tensor names, types, shapes, class
// labels) from the ONNX file itself, so the server describes whatever model it
// was given and can answer metadata requests before a session exists.
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { CLASS_LABELS, IMAGE_COLS, IMAGE_ROWS } from '../data/mnist-spec.js';

const { onnx } = onnxProto;

/** Open Inference Protocol datatype names, by ONNX TensorProto element type. */
const OIP_TYPES: Record<number, string> = { 1: 'FP32', 2: 'UINT8', 3: 'INT8', 6: 'INT32', 7: 'INT64', 11: 'FP64' };

export interface TensorSpec {
  name: string;
  datatype: string;
  /** -1 where the model leaves a dimension free (the batch). */
  shape: number[];
}

export interface ModelSpec {
  /** The ONNX graph's own name (the served name comes from --name). */
  graphName: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  labels: string[];
  /** The artifact's metadata_props (training provenance, accuracy, ...). */
  metadata: Record<string, string>;
}

export interface LoadedModel { bytes: Uint8Array; spec: ModelSpec; path: string }

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export async function loadModel(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new ModelFileError(
      `no model at ${path}. Train one first: \`onnx-mnist train\` writes artifacts/mnist-mlp.onnx ` +
        '(about 6 s for the default 10 epochs on a 2-core CPU), or pass --model PATH to an existing artifact.',
    );
  }
  let spec: ModelSpec;
  try {
    spec = readSpec(bytes);
  } catch (e) {
    throw new ModelFileError(`${path} is not a readable ONNX model: ${(e as Error).message}`);
  }
  checkContract(spec, path);
  return { bytes, spec, path };
}

export function readSpec(bytes: Uint8Array): ModelSpec {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('the file has no graph');
  const tensor = (v: onnxProto.onnx.IValueInfoProto): TensorSpec => {
    const t = v.type?.tensorType;
    const datatype = OIP_TYPES[t?.elemType ?? 0] ?? `ONNX_TYPE_${t?.elemType}`;
    const shape = (t?.shape?.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : -1));
    return { name: v.name ?? '', datatype, shape };
  };
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  let labels: string[] = [...CLASS_LABELS];
  if (metadata.class_labels) {
    const parsed: unknown = JSON.parse(metadata.class_labels);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) labels = parsed;
  }
  return {
    graphName: graph.name ?? '',
    // Older exporters list initializers as inputs too; only real inputs are fed.
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensor),
    outputs: (graph.output ?? []).map(tensor),
    labels,
    metadata,
  };
}

/** The server feeds one FP32 image tensor [N,1,28,28] and reads N-major outputs; say so early if not. */
function checkContract(spec: ModelSpec, path: string): void {
  const input = spec.inputs[0];
  const want = [-1, 1, IMAGE_ROWS, IMAGE_COLS];
  if (spec.inputs.length !== 1 || input.datatype !== 'FP32' || input.shape.join() !== want.join()) {
    throw new ModelFileError(
      `${path}: expected one FP32 input of shape [${want}], found ` +
        spec.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape}]`).join(', '),
    );
  }
  for (const o of spec.outputs) {
    if (o.shape[0] !== -1) throw new ModelFileError(`${path}: output ${o.name} has no batch dimension first`);
    if (o.datatype !== 'FP32' && o.datatype !== 'INT64') {
      throw new ModelFileError(`${path}: output ${o.name} is ${o.datatype}; the server handles FP32 and INT64`);
    }
  }
  if (!spec.outputs.some((o) => o.name === 'probabilities') || !spec.outputs.some((o) => o.name === 'label')) {
    throw new ModelFileError(`${path}: expected outputs 'probabilities' and 'label' (an onnx-mnist artifact)`);
  }
}

/** Elements per batch item of a tensor: the product of its dimensions after the first. */
export const rowSize = (t: TensorSpec) => t.shape.slice(1).reduce((a, b) => a * b, 1);
