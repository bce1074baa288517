// Open Inference Protocol (KServe v2) inference requests and responses, with
// the binary tensor extension (tensor bytes after the JSON, sized by the
// Inference-Header-Content-Length header and per-tensor binary_data_size) and
// the classification extension (an output's top-k as "value:index:label").
import { OUTPUTS } from '../contract/artifact.js';
import { parseJsonBytes } from './body.js';
import { badRequest, isObject, preview } from './errors.js';
import { rowSize, type ModelSpec, type TensorSpec } from './model.js';
import { byte, readTensorData, unitFloat } from './tensor-data.js';
import type { Outputs, Pixels } from './worker-pool.js';

export const HEADER_LENGTH = 'inference-header-content-length';

/** Binary data is little-endian on the wire; typed arrays use the host's order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface RequestedOutput { spec: TensorSpec; classification?: number; binary: boolean }

export interface InferRequest {
  id?: string;
  /** n images of model input: floats in [0,1], or bytes 0..255. */
  input: Pixels;
  n: number;
  outputs: RequestedOutput[];
}

/**
 * Splits a binary tensor body at `headerLength` (the Inference-Header-Content-Length
 * header) into its parsed JSON header and the tensor bytes after it.
 */
export function splitBinaryBody(body: Uint8Array, headerLength: string, maxContainers: number): { json: unknown; binary: Uint8Array } {
  const jsonEnd = Number(headerLength);
  if (!Number.isInteger(jsonEnd) || jsonEnd < 2 || jsonEnd > body.length) {
    throw badRequest(`Inference-Header-Content-Length is ${preview(headerLength)}; it must be the JSON header's byte count, at most the body's ${body.length}`);
  }
  return { json: parseJsonBytes(body.subarray(0, jsonEnd), maxContainers, 'the JSON header'), binary: body.subarray(jsonEnd) };
}

/** `req` is the parsed JSON (the whole body, or the binary body's header); `binary` the tensor bytes after it. */
export function parseInferRequest(req: unknown, binary: Uint8Array, spec: ModelSpec, maxBatch: number): InferRequest {
  if (!isObject(req)) throw badRequest('the inference request must be a JSON object with "inputs"');
  if (req.id !== undefined && typeof req.id !== 'string') throw badRequest('"id" must be a string');
  const params = req.parameters === undefined ? {} : req.parameters;
  if (!isObject(params)) throw badRequest('"parameters" must be an object');

  const inputSpec = spec.inputs[0];
  const inputs = req.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    throw badRequest(`"inputs" must be an array with exactly one tensor, "${inputSpec.name}" (FP32 or UINT8, shape [${inputSpec.shape}])`);
  }
  const { input, n } = readInput(inputs[0], inputSpec, maxBatch, binary);
  return { id: req.id, input, n, outputs: readOutputs(req.outputs, spec, params.binary_data_output === true) };
}

function readInput(t: unknown, spec: TensorSpec, maxBatch: number, binary: Uint8Array): { input: Pixels; n: number } {
  if (!isObject(t)) throw badRequest('each entry of "inputs" must be an object with name, shape, datatype and data');
  if (t.name !== spec.name) throw badRequest(`unknown input ${preview(t.name)}; the model's input is "${spec.name}"`);
  if (t.datatype !== 'FP32' && t.datatype !== 'UINT8') {
    throw badRequest(`datatype ${preview(t.datatype)} is not supported for "${spec.name}"; send FP32 (0..1) or UINT8 (0..255)`);
  }
  const shape = t.shape;
  const want = `[N,${spec.shape.slice(1)}] with N from 1 to ${maxBatch}`;
  if (!Array.isArray(shape) || shape.length !== spec.shape.length || !shape.every((d) => Number.isInteger(d))
    || shape.slice(1).some((d, i) => d !== spec.shape[i + 1])) {
    throw badRequest(`shape ${preview(shape)} does not match the model's input; expected ${want}`);
  }
  const n = shape[0] as number;
  if (n < 1 || n > maxBatch) throw badRequest(`batch size ${n} is out of range; expected ${want}`);
  const count = n * rowSize(spec);
  const p = t.parameters === undefined ? {} : t.parameters;
  if (!isObject(p)) throw badRequest('input "parameters" must be an object');

  if (p.binary_data_size === undefined) {
    if (binary.length > 0) throw badRequest(`${binary.length} bytes follow the JSON header but no input has binary_data_size`);
    const input = readTensorData(t.data, shape as number[], 'data', t.datatype === 'FP32' ? unitFloat : byte);
    if (t.datatype === 'UINT8') for (let i = 0; i < input.length; i++) input[i] /= 255;
    return { input, n };
  }
  if (t.data !== undefined) throw badRequest('an input has both "data" and binary_data_size; send one');
  const size = t.datatype === 'FP32' ? count * 4 : count;
  if (p.binary_data_size !== size) {
    throw badRequest(`binary_data_size is ${preview(p.binary_data_size)}; ${t.datatype} [${shape}] is ${size} bytes`);
  }
  if (binary.length !== size) throw badRequest(`binary_data_size is ${size} but ${binary.length} bytes follow the JSON header`);
  // Bytes go to the batcher as they are: they are scaled to [0,1] as the batch is written.
  if (t.datatype === 'UINT8') return { input: binary, n };
  if (!LITTLE_ENDIAN) throw new Error('binary FP32 input needs a little-endian host');
  // An aligned copy of our own. NOTE: not binary.slice(): on a Node Buffer (the body as read
  // from the socket) slice() is a view of the same memory, and .buffer all of it.
  const input = new Float32Array(new Uint8Array(binary).buffer);
  for (let i = 0; i < input.length; i++) {
    if (!(input[i] >= 0 && input[i] <= 1)) throw badRequest(`binary FP32 element ${i} is ${input[i]}; pixels must be in [0, 1]`);
  }
  return { input, n };
}

function readOutputs(list: unknown, spec: ModelSpec, binaryDefault: boolean): RequestedOutput[] {
  if (list === undefined) return spec.outputs.map((s) => ({ spec: s, binary: binaryDefault }));
  if (!Array.isArray(list)) throw badRequest('"outputs" must be an array of {"name": ...}');
  const names = spec.outputs.map((o) => o.name).join(', ');
  const seen = new Set<string>();
  return list.map((o): RequestedOutput => {
    if (!isObject(o) || typeof o.name !== 'string') throw badRequest('each entry of "outputs" must be an object with a "name"');
    const s = spec.outputs.find((x) => x.name === o.name);
    if (!s) throw badRequest(`unknown output ${preview(o.name)}; the model's outputs are ${names}`);
    if (seen.has(o.name)) throw badRequest(`output "${o.name}" is requested twice`);
    seen.add(o.name);
    const p = o.parameters === undefined ? {} : o.parameters;
    if (!isObject(p)) throw badRequest(`parameters of output "${o.name}" must be an object`);
    if (p.binary_data !== undefined && typeof p.binary_data !== 'boolean') throw badRequest('binary_data must be true or false');
    const out: RequestedOutput = { spec: s, binary: p.binary_data ?? binaryDefault };
    if (p.classification !== undefined) {
      const k = p.classification, classes = rowSize(s);
      if (s.datatype !== 'FP32' || s.shape.length !== 2) throw badRequest(`output "${o.name}" is not a score vector; classification needs e.g. ${OUTPUTS.probabilities.name}`);
      if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > classes) {
        throw badRequest(`classification must be a whole number from 1 to ${classes}, got ${preview(k)}`);
      }
      out.classification = k as number;
    }
    return out;
  });
}

export interface EncodedResponse { json: string; binary: Uint8Array[] }

export function encodeInferResponse(req: InferRequest, outputs: Outputs, spec: ModelSpec, model: { name: string; version: string }): EncodedResponse {
  const binary: Uint8Array[] = [];
  const list = req.outputs.map((o) => {
    const data = outputs[o.spec.name];
    let shape = [req.n, ...o.spec.shape.slice(1)];
    let datatype = o.spec.datatype;
    let values: ArrayLike<number | bigint> | string[] = data;
    if (o.classification !== undefined) {
      values = topK(data as Float32Array, req.n, o.classification, spec.labels);
      shape = [req.n, o.classification];
      datatype = 'BYTES';
    }
    if (o.binary) {
      const bytes = typeof values[0] === 'string' ? bytesElements(values as string[]) : rawBytes(data);
      binary.push(bytes);
      return { name: o.spec.name, datatype, shape, parameters: { binary_data_size: bytes.length } };
    }
    const json = data instanceof BigInt64Array && values === data ? Array.from(data, Number) : Array.from(values as ArrayLike<number>);
    return { name: o.spec.name, datatype, shape, data: json };
  });
  const body = { model_name: model.name, model_version: model.version, ...(req.id !== undefined && { id: req.id }), outputs: list };
  return { json: JSON.stringify(body), binary };
}

/** Triton's classification format: "<value>:<index>[:<label>]", highest first. */
function topK(scores: Float32Array, n: number, k: number, labels: string[]): string[] {
  const classes = scores.length / n;
  const out: string[] = [];
  for (let r = 0; r < n; r++) {
    const row = scores.subarray(r * classes, (r + 1) * classes);
    const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, k);
    for (const i of order) out.push(classes === labels.length ? `${row[i]}:${i}:${labels[i]}` : `${row[i]}:${i}`);
  }
  return out;
}

function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('binary output needs a little-endian host');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** BYTES elements in binary form: each a 4-byte little-endian length, then the bytes. */
function bytesElements(items: string[]): Uint8Array {
  const enc = items.map((s) => new TextEncoder().encode(s));
  const out = new Uint8Array(enc.reduce((a, e) => a + 4 + e.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of enc) { view.setUint32(at, e.length, true); out.set(e, at + 4); at += 4 + e.length; }
  return out;
}
