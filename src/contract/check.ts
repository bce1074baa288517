// The one contract check of the server and the page: from a model's metadata
// (and its graph's declared inputs and outputs, where the caller read them), how
// to feed it and how to read it, or one clear error. A metadata key may be
// missing (defaults below); a key that is there must be well-formed.
import { CLASS_LABELS, IMAGE_COLS, IMAGE_ROWS, NUM_CLASSES } from '../data/mnist-spec.js';
import { INPUT, META, OUTPUTS, REQUIRED_OUTPUTS, type TensorContract } from './artifact.js';
import type { TensorInfo } from './onnx-reader.js';

/** How to feed the model and read its answer. */
export interface ModelContract {
  inputName: string;
  rows: number;
  cols: number;
  /** Pixel values the input expects: background..ink maps to range[0]..range[1] when ink is high. */
  range: [number, number];
  inkHigh: boolean;
  /** Applied inside the graph (README "Artifacts"): shown to the user, never applied by a caller. */
  normalization: { mean: number; std: number } | null;
  /** One name per class, in the order of the probabilities. */
  classLabels: string[];
  testAccuracy: number | null;
}

/** A model that breaks the contract; the message says how. */
export class ContractError extends Error {
  override name = 'ContractError';
}

/** The graph's declared inputs and outputs (readOnnxModel's). */
export interface GraphIO { inputs: readonly TensorInfo[]; outputs: readonly TensorInfo[] }

/**
 * The contract a model states. Without `graph`, the metadata's `input` entry is
 * the only word on the input; with it, the graph is checked against the table in
 * artifact.ts, and `input` metadata, if any, must agree with it.
 */
export function checkContract(meta: Readonly<Record<string, string>>, graph?: GraphIO): ModelContract {
  const json = (key: string): unknown => {
    if (meta[key] === undefined) return undefined;
    try {
      return JSON.parse(meta[key]);
    } catch {
      throw new ContractError(`the model's "${key}" metadata is not JSON: ${meta[key].slice(0, 80)}`);
    }
  };
  const malformed = (key: string, want: string) => new ContractError(`the model's "${key}" metadata is not ${want}: ${meta[key].slice(0, 80)}`);
  if (graph) checkGraph(graph);

  const stated = json(META.input) as { name?: unknown; dtype?: unknown; shape?: unknown; range?: unknown; ink?: unknown } | undefined;
  const input = stated === undefined && graph ? { ...INPUT, name: graph.inputs[0].name } : stated;
  if (input === undefined) throw new ContractError('the model has no "input" metadata: was it written by `onnx-mnist train`?');
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string') throw malformed(META.input, 'an object with a "name"');
  if (graph && input.name !== graph.inputs[0].name) {
    throw new ContractError(`the model's "input" metadata names "${input.name}", but its graph's input is "${graph.inputs[0].name}"`);
  }
  if (input.dtype !== undefined && input.dtype !== INPUT.dtype) {
    throw new ContractError(`the model's input is ${JSON.stringify(input.dtype)}; onnx-mnist feeds ${INPUT.dtype}`);
  }
  const shape = Array.isArray(input.shape) ? input.shape : [];
  const [rows, cols] = shape.slice(-2) as number[];
  if (shape.length !== 4 || shape[1] !== 1 || rows !== IMAGE_ROWS || cols !== IMAGE_COLS) {
    throw new ContractError(`the model expects input shape ${JSON.stringify(input.shape)}; onnx-mnist prepares [${INPUT.shape}]`);
  }
  const range = input.range;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ContractError(`the model's input range ${JSON.stringify(range)} is not [low, high]`);
  }
  if (input.ink !== undefined && input.ink !== 'high' && input.ink !== 'low') {
    throw new ContractError(`the model's input ink ${JSON.stringify(input.ink)} is not "high" or "low"`);
  }

  const norm = json(META.normalization) as { mean?: unknown; std?: unknown } | undefined;
  if (norm !== undefined && !(typeof norm?.mean === 'number' && typeof norm.std === 'number' && norm.std > 0)) {
    throw malformed(META.normalization, '{"mean": number, "std": positive number}');
  }
  const labels = json(META.classLabels);
  if (labels !== undefined && !(Array.isArray(labels) && labels.length === NUM_CLASSES && labels.every((l) => typeof l === 'string'))) {
    throw malformed(META.classLabels, `a list of ${NUM_CLASSES} names`);
  }
  const accuracy = meta[META.testAccuracy] === undefined ? null : Number(meta[META.testAccuracy]);
  if (accuracy !== null && !(meta[META.testAccuracy].trim() !== '' && accuracy >= 0 && accuracy <= 1)) {
    throw malformed(META.testAccuracy, 'a number in [0, 1]');
  }
  return {
    inputName: input.name,
    rows,
    cols,
    range: [range[0], range[1]],
    inkHigh: input.ink !== 'low',
    normalization: norm ? { mean: norm.mean as number, std: norm.std as number } : null,
    classLabels: (labels as string[] | undefined) ?? [...CLASS_LABELS],
    testAccuracy: accuracy,
  };
}

/** One input as INPUT states; outputs N-major and float32 or int64; the outputs in OUTPUTS as the table says. */
function checkGraph({ inputs, outputs }: GraphIO): void {
  if (inputs.length !== 1 || !matches(inputs[0], INPUT)) {
    throw new ContractError(`expected one ${INPUT.dtype} input of shape [${INPUT.shape}], found ${inputs.map(describe).join(', ') || 'none'}`);
  }
  for (const o of outputs) {
    if (o.shape[0] !== -1) throw new ContractError(`output ${o.name} has no batch dimension first`);
    if (o.dtype !== 'float32' && o.dtype !== 'int64') throw new ContractError(`output ${o.name} is ${o.dtype}; onnx-mnist reads float32 and int64`);
    const want = Object.values(OUTPUTS).find((w) => w.name === o.name);
    if (want && !matches(o, want)) throw new ContractError(`output ${describe(o)}; an onnx-mnist artifact has ${describe(want)}`);
  }
  if (!REQUIRED_OUTPUTS.every((r) => outputs.some((o) => o.name === r.name))) {
    throw new ContractError(`expected outputs ${REQUIRED_OUTPUTS.map((r) => `'${r.name}'`).join(' and ')} (an onnx-mnist artifact)`);
  }
}

const dims = (t: TensorInfo | TensorContract) => t.shape.map((d) => (d === 'N' || d === -1 ? 'N' : d));
const matches = (t: TensorInfo, want: TensorContract) => t.dtype === want.dtype && dims(t).join() === dims(want).join();
const describe = (t: TensorInfo | TensorContract) => `${t.name} ${t.dtype} [${dims(t)}]`;

/** Preprocessed pixels (0 background .. 1 ink) -> the values the input expects. */
export function toModelInput(pixels: Float32Array, c: Pick<ModelContract, 'range' | 'inkHigh'>): Float32Array {
  const [lo, hi] = c.range;
  return pixels.map((p) => lo + (c.inkHigh ? p : 1 - p) * (hi - lo));
}
