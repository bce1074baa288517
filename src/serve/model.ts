// Reads an inference artifact's contract (tensor names, types, shapes, class
// labels) from the ONNX file itself, with the reader and the check the page uses
// (src/contract), so the server describes whatever model it was given and can
// answer metadata requests before a session exists.
import { readFile } from 'node:fs/promises';
import { checkContract, ContractError, type ModelContract } from '../contract/check.js';
import { MODEL_FILE } from '../contract/artifact.js';
import { readOnnxModel, type OnnxModelInfo, type TensorInfo } from '../contract/onnx-reader.js';

/** Open Inference Protocol datatype names, by the contract's element type names. */
const OIP_TYPES: Record<string, string> = { float32: 'FP32', uint8: 'UINT8', int8: 'INT8', int32: 'INT32', int64: 'INT64', float64: 'FP64' };

export interface TensorSpec {
  name: string;
  datatype: string;
  /** The shape clients see in metadata and answers (protocolShape); -1 where a dimension is free (the batch). */
  shape: number[];
  /** The shape the ONNX graph declares. */
  modelShape: number[];
}

/**
 * The shape a tensor shows on the protocol, by Triton's rule, so that `onnx-mnist serve`
 * and the exported Triton repository describe it alike: Triton needs at least one
 * dimension besides the batch, so a batch-only tensor ([N], like `label`) is shown as
 * [N, 1] (config.pbtxt `dims: [1]`, reshaped to the model's [N]). docs/serve.md,
 * "Same answers as Triton".
 */
export const protocolShape = (modelShape: readonly number[]): number[] =>
  modelShape.length === 1 ? [modelShape[0], 1] : [...modelShape];

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
      `no model at ${path}. Train one first: \`onnx-mnist train\` writes artifacts/${MODEL_FILE} ` +
        '(about 6 s for the default 10 epochs on a 2-core CPU), or pass --model PATH to an existing artifact.',
    );
  }
  let model: OnnxModelInfo;
  try {
    model = readOnnxModel(bytes);
  } catch (e) {
    throw new ModelFileError(`${path} is not a readable ONNX model: ${(e as Error).message}`);
  }
  // The server feeds one float32 image tensor [N,1,28,28] and reads N-major outputs: the contract says so early if not.
  let contract: ModelContract;
  try {
    contract = checkContract(model.metadata, model);
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    throw new ModelFileError(`${path}: ${(e as Error).message}`);
  }
  const tensor = (t: TensorInfo): TensorSpec => ({
    name: t.name, datatype: OIP_TYPES[t.dtype] ?? t.dtype.toUpperCase(), shape: protocolShape(t.shape), modelShape: t.shape,
  });
  const spec: ModelSpec = {
    graphName: model.graphName,
    inputs: model.inputs.map(tensor),
    outputs: model.outputs.map(tensor),
    labels: contract.classLabels,
    metadata: model.metadata,
  };
  return { bytes, spec, path };
}

/** Elements per batch item of a tensor: the product of its dimensions after the first. */
export const rowSize = (t: TensorSpec) => t.shape.slice(1).reduce((a, b) => a * b, 1);
