// What the page needs to know about the model, read from the artifact itself:
// its metadata_props (a few dozen bytes of protobuf, parsed here without a
// protobuf library so the page stays small) and the input contract they state.
// Pure TS, no DOM or Node imports: the page and the unit tests share it.
import { IMAGE_COLS, IMAGE_ROWS } from '../data/mnist-spec.js';

/**
 * ModelProto.metadata_props as key -> value, like `readMetadata` in
 * src/graph/serialize.ts (the last entry wins for a repeated key, as there).
 * Throws when the bytes are not an ONNX model (e.g. an HTML error page).
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const text = new TextDecoder();
  const out: Record<string, string> = {};
  let hasGraph = false;
  for (const f of fields(bytes, 0, bytes.length)) {
    if (f.wire !== LEN) continue;
    if (f.field === GRAPH) hasGraph = true;
    if (f.field !== METADATA_PROPS) continue;
    let key = '', value = '';
    for (const e of fields(bytes, f.start, f.end)) {
      if (e.wire !== LEN) continue;
      if (e.field === 1) key = text.decode(bytes.subarray(e.start, e.end));
      else if (e.field === 2) value = text.decode(bytes.subarray(e.start, e.end));
    }
    out[key] = value;
  }
  if (!hasGraph) throw new Error('not an ONNX model (no graph in the file)');
  return out;
}

// ModelProto field numbers (onnx.proto) and protobuf wire types.
const GRAPH = 7, METADATA_PROPS = 14;
const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

interface Field { field: number; wire: number; start: number; end: number }

function* fields(b: Uint8Array, from: number, to: number): Generator<Field> {
  let p = from;
  const varint = (): number => {
    let v = 0, mul = 1;
    for (;;) {
      if (p >= to) throw new Error('not an ONNX model (truncated protobuf)');
      const byte = b[p++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('not an ONNX model (bad varint)');
    }
  };
  while (p < to) {
    const tag = varint();
    const field = Math.floor(tag / 8), wire = tag % 8;
    let start = p;
    if (wire === VARINT) varint();
    else if (wire === I64) p += 8;
    else if (wire === I32) p += 4;
    else if (wire === LEN) { const n = varint(); start = p; p += n; }
    else throw new Error(`not an ONNX model (protobuf wire type ${wire})`);
    if (p > to || field === 0) throw new Error('not an ONNX model (truncated protobuf)');
    yield { field, wire, start, end: p };
  }
}

/** How to feed the model, as its metadata states it. */
export interface ModelContract {
  inputName: string;
  rows: number;
  cols: number;
  /** Pixel values the input expects: background..ink maps to range[0]..range[1] when ink is high. */
  range: [number, number];
  inkHigh: boolean;
  /** Applied inside the graph (README "Artifacts"): shown to the user, never applied by the page. */
  normalization: { mean: number; std: number } | null;
  classLabels: string[];
  testAccuracy: number | null;
}

/** Reads the contract out of metadata_props; a model the page cannot feed is a readable error. */
export function modelContract(meta: Record<string, string>): ModelContract {
  const json = (key: string): unknown => {
    if (meta[key] === undefined) return undefined;
    try {
      return JSON.parse(meta[key]);
    } catch {
      throw new Error(`the model's "${key}" metadata is not JSON: ${meta[key].slice(0, 80)}`);
    }
  };
  const input = json('input') as { name?: unknown; shape?: unknown; range?: unknown; ink?: unknown } | undefined;
  if (!input || typeof input.name !== 'string') throw new Error('the model has no "input" metadata: was it written by `onnx-mnist train`?');
  const shape = Array.isArray(input.shape) ? input.shape : [];
  const [rows, cols] = shape.slice(-2) as number[];
  if (shape.length !== 4 || shape[1] !== 1 || rows !== IMAGE_ROWS || cols !== IMAGE_COLS) {
    throw new Error(`the model expects input shape ${JSON.stringify(input.shape)}; this page prepares [N,1,${IMAGE_ROWS},${IMAGE_COLS}]`);
  }
  const range = input.range;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`the model's input range ${JSON.stringify(range)} is not [low, high]`);
  }
  const norm = json('normalization') as { mean?: unknown; std?: unknown } | undefined;
  const labels = json('class_labels');
  const acc = Number(meta.test_accuracy);
  return {
    inputName: input.name,
    rows,
    cols,
    range: [range[0], range[1]],
    inkHigh: input.ink !== 'low',
    normalization: norm && typeof norm.mean === 'number' && typeof norm.std === 'number' ? { mean: norm.mean, std: norm.std } : null,
    classLabels: Array.isArray(labels) ? labels.map(String) : Array.from({ length: 10 }, (_, i) => String(i)),
    testAccuracy: meta.test_accuracy !== undefined && Number.isFinite(acc) ? acc : null,
  };
}

/** Preprocessed pixels (0 background .. 1 ink) -> the values the input expects. */
export function toModelInput(pixels: Float32Array, c: ModelContract): Float32Array {
  const [lo, hi] = c.range;
  return pixels.map((p) => lo + (c.inkHigh ? p : 1 - p) * (hi - lo));
}
