// `train --init-from model.onnx`: a model's weights as the starting point (fine-tuning).
// The inference model stores each parameter as an initializer under its state_dict name
// (fc1.weight, ...), so any ONNX file that names its weights so will do.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { Model } from '../model/model.js';

const { onnx } = onnxProto;
const FLOAT = 1; // TensorProto.DataType.FLOAT

interface Initializer { dims: number[]; dataType: number; data: Float32Array | undefined }

/**
 * The float parameters `model` needs, from `file`'s initializers (errors name the file and
 * the tensor), and where they came from, for the artifact's hyperparameters.
 */
export async function readInitialParams(file: string, model: Model): Promise<{ params: Float32Array; source: { file: string; sha256: string } }> {
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`--init-from ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  const source = { file: path.basename(file), sha256: createHash('sha256').update(bytes).digest('hex') };
  return { params: initialParams(initializers(bytes, file), model, file), source };
}

function initializers(bytes: Uint8Array, file: string): Map<string, Initializer> {
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`--init-from ${file}: not an ONNX model (${(e as Error).message})`);
  }
  if (!proto.graph) throw new Error(`--init-from ${file}: not an ONNX model (no graph in the file)`);
  // NOTE: protobufjs decodes int64 dims as Long objects.
  const int = (d: unknown) => (typeof d === 'number' ? d : Number(String(d)));
  return new Map((proto.graph.initializer ?? []).map((t) => {
    const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
    // rawData is little-endian and a view at any offset of the file's buffer: copied, so aligned.
    const data = t.dataType !== FLOAT ? undefined : raw ? new Float32Array(new Uint8Array(raw).buffer) : Float32Array.from(t.floatData ?? []);
    return [t.name ?? '', { dims: (t.dims ?? []).map(int), dataType: t.dataType ?? 0, data }];
  }));
}

export function initialParams(inits: Map<string, Initializer>, model: Model, file: string): Float32Array {
  const params = new Float32Array(model.layout.total);
  for (const t of model.layout.tensors) {
    const init = inits.get(t.name);
    const fail = (why: string): never => { throw new Error(`--init-from ${file}: ${why}`); };
    if (!init) fail(`no initializer "${t.name}" (${model.kind} weights go by PyTorch's state_dict names; the file has ${[...inits.keys()].slice(0, 8).join(', ') || 'none'})`);
    else if (!init.data) fail(`initializer "${t.name}" has element type ${init.dataType}, expected float32 (1)`);
    else if (init.dims.join() !== t.shape.join()) fail(`initializer "${t.name}" has shape [${init.dims.join(', ')}], this run's model needs [${t.shape.join(', ')}] (see --hidden)`);
    else if (init.data.length !== t.size) fail(`initializer "${t.name}" holds ${init.data.length} values for shape [${t.shape.join(', ')}] (its data may be stored outside the file)`);
    else params.set(init.data, t.offset);
  }
  return params;
}
