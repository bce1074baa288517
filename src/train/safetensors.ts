// The safetensors file format (Hugging Face), written and read in a few lines: an
// 8-byte little-endian header length, a JSON header (per tensor: dtype, shape,
// data_offsets into the byte buffer; `__metadata__`: strings), then the tensors' raw
// little-endian bytes. The reader is strict, as the reference implementation is: the
// buffer must be covered exactly, without holes or overlaps, and every problem is
// named. Browser-safe: no Node module (a page could save and load checkpoints too).
// NOTE: no npm package does this without Node's fs or a remote hub behind it; the format
// is small enough that a dependency would outweigh it.

export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';
const ITEM_BYTES: Readonly<Record<Dtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1 };

/** One tensor as stored: dtype, shape and its little-endian bytes (a copy, 8-byte aligned). */
export interface StTensor { dtype: Dtype; shape: number[]; bytes: Uint8Array }
export interface SafeTensors { tensors: Map<string, StTensor>; metadata: Record<string, string> }
/** A tensor to write: its dtype follows from the array. */
export interface TensorEntry { name: string; shape: readonly number[]; data: Float32Array | Float64Array }

/** The reference reader's limit: a larger header is an attack or not a safetensors file. */
const MAX_HEADER = 100_000_000;
const METADATA_KEY = '__metadata__';
// NOTE: typed arrays use the platform's byte order; the format is little-endian, and so is
// every platform ONNX Runtime ships for. A big-endian one gets an error, not wrong numbers.
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export class SafetensorsError extends Error {}

export function encodeSafetensors(entries: readonly TensorEntry[], metadata: Record<string, string> = {}): Uint8Array {
  if (!LITTLE_ENDIAN) throw new SafetensorsError('safetensors needs a little-endian platform');
  const header: Record<string, unknown> = Object.keys(metadata).length ? { [METADATA_KEY]: metadata } : {};
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (count !== e.data.length) throw new SafetensorsError(`tensor "${e.name}": shape [${e.shape.join(', ')}] holds ${count} values, the array ${e.data.length}`);
    if (Object.hasOwn(header, e.name)) throw new SafetensorsError(`tensor "${e.name}" given twice (or named ${METADATA_KEY})`);
    header[e.name] = {};
  }
  // The header lists tensors in the caller's order; their bytes go wider dtypes first, as
  // the reference writer lays them out, so every tensor's data stays aligned to its element
  // size (the header is padded to a multiple of 8).
  const ordered = [...entries].sort((a, b) => b.data.BYTES_PER_ELEMENT - a.data.BYTES_PER_ELEMENT);
  let offset = 0;
  for (const e of ordered) {
    header[e.name] = { dtype: e.data instanceof Float64Array ? 'F64' : 'F32', shape: [...e.shape], data_offsets: [offset, offset + e.data.byteLength] };
    offset += e.data.byteLength;
  }
  let json = JSON.stringify(header);
  const size = new TextEncoder().encode(json).length;
  json += ' '.repeat((8 - (size % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const e of ordered) {
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), at);
    at += e.data.byteLength;
  }
  return out;
}

/** Parses and validates a whole file; `file` names it in every error. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafeTensors {
  const fail = (why: string): never => { throw new SafetensorsError(`${file}: ${why}`); };
  if (!LITTLE_ENDIAN) fail('safetensors needs a little-endian platform');
  if (bytes.length < 8) fail(`${bytes.length} bytes: too short for a safetensors file (its header length alone takes 8)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} is over the format's limit of ${MAX_HEADER} bytes (not a safetensors file?)`);
  const headerEnd = 8 + Number(n);
  if (headerEnd > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  let text = '';
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)); } catch { fail('header is not valid UTF-8'); }
  let header: unknown;
  try { header = JSON.parse(text); } catch (e) { fail(`header is not valid JSON (${(e as Error).message})`); }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const { [METADATA_KEY]: meta, ...entries } = header as Record<string, unknown>;
  const data = bytes.subarray(headerEnd);
  const tensors = Object.entries(entries).map(([name, info]) => ({ name, ...tensorInfo(name, info, data.length, fail) }));
  // Sorted by offset, the tensors must tile the buffer exactly: no hole, no overlap.
  let end = 0, previous = '';
  for (const t of [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (t.begin < end) fail(`tensors "${previous}" and "${t.name}" overlap (bytes ${t.begin}-${end} of the data)`);
    if (t.begin > end) fail(`bytes ${end}-${t.begin} of the data belong to no tensor (a hole before "${t.name}")`);
    [end, previous] = [t.end, t.name];
  }
  if (end !== data.length) fail(`${data.length - end} bytes after the last tensor's data (the file must end there)`);
  return {
    metadata: metadataOf(meta, fail),
    tensors: new Map(tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, bytes: data.slice(t.begin, t.end) }])),
  };
}

function tensorInfo(name: string, info: unknown, dataLength: number, fail: (why: string) => never) {
  const it = `tensor "${name}"`;
  if (typeof info !== 'object' || info === null) fail(`${it}: not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_BYTES, dtype)) fail(`${it}: unknown dtype ${JSON.stringify(dtype)} (one of ${Object.keys(ITEM_BYTES).join(', ')})`);
  const count = (xs: unknown, n?: number) => Array.isArray(xs) && (n === undefined || xs.length === n) && xs.every((x) => Number.isSafeInteger(x) && x >= 0);
  if (!count(shape)) fail(`${it}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!count(offsets, 2)) fail(`${it}: data_offsets must be [begin, end] in bytes, got ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  const dims = shape as number[];
  const size = dims.reduce((a, b) => a * b, ITEM_BYTES[dtype as Dtype]);
  if (!Number.isSafeInteger(size)) fail(`${it}: shape [${dims.join(', ')}] is too large`);
  if (end < begin) fail(`${it}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`${it}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated file?)`);
  if (end - begin !== size) fail(`${it}: ${dtype} [${dims.join(', ')}] takes ${size} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { dtype: dtype as Dtype, shape: dims, begin, end };
}

function metadataOf(meta: unknown, fail: (why: string) => never): Record<string, string> {
  if (meta === undefined) return {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail(`${METADATA_KEY} must be an object of strings`);
  for (const [k, v] of Object.entries(meta as object)) if (typeof v !== 'string') fail(`${METADATA_KEY}: "${k}" must be a string, got ${JSON.stringify(v)}`);
  return meta as Record<string, string>;
}
