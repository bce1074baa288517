// A training state as a PyTorch-style checkpoint in safetensors: the parameters under
// their state_dict names, the optimizer's state as `optimizer.<param>.<slot>` in
// PyTorch's scaling, and in `__metadata__` what resuming needs (step, epoch, the
// shuffling stream's state, the settings, the dataset's checksums, the history).
import type { Model } from '../model/model.js';
import type { Optimizer, Slot } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, type StTensor, type TensorEntry } from './safetensors.js';
import type { TrainedEpoch, TrainState } from './trainer.js';

/** `format_version` in the metadata: a reader refuses versions it does not know. */
export const CHECKPOINT_VERSION = '1';
const RNG_ALGORITHM = 'mulberry32';

export class CheckpointError extends Error {}

/** What a checkpoint records besides the state. */
export interface CheckpointInfo {
  /** The run's settings (src/train/settings.ts): a resumed run must match them. */
  hyperparameters: Record<string, unknown>;
  /** Dataset file name -> sha256 of its bytes. */
  datasetSha256: Record<string, string>;
  /** Every completed epoch, oldest first (the artifact's history survives a resume). */
  training: EpochRecord[];
  /** More metadata strings (producer, execution settings). */
  extra?: Record<string, string>;
}

/** A decoded checkpoint: its record, and its tensors still to be matched to a model (checkpointState). */
export interface Checkpoint extends CheckpointInfo {
  file: string;
  epoch: number;
  step: number;
  rng: number;
  tensors: Map<string, StTensor>;
}

/** An epoch as the history keeps it: its test numbers are null until its evaluation is in. */
export type EpochRecord = TrainedEpoch & { testLoss: number | null; testAccuracy: number | null };

export const slotTensorName = (param: string, slot: string) => `optimizer.${param}.${slot}`;

// NOTE: a scaled slot (Adam's moments) is written as F64. stored x scale rounded to float32
// does not round-trip (Adam's stored values come back off by one bit for 6-16% of them),
// and a resumed run would then not reproduce an uninterrupted one; in float64 the division
// by the scale gives back every float32 exactly. PyTorch casts it to the parameter's dtype on load.
const exact = (s: Slot) => s.scale === 1;

/** x * factor in float64 (a plain loop: Float64Array.from with a map function is ~10x slower). */
function scaled(x: Float32Array, factor: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * factor;
  return out;
}

export function encodeCheckpoint(model: Model, optimizer: Optimizer, state: TrainState, info: CheckpointInfo): Uint8Array {
  const view = (a: Float32Array, offset: number, size: number) => a.subarray(offset, offset + size);
  const entries: TensorEntry[] = model.layout.tensors.map((t) => ({ name: t.name, shape: t.shape, data: view(state.params, t.offset, t.size) }));
  for (const t of model.layout.tensors) {
    for (const s of optimizer.slots) {
      const stored = view(state.slots[s.name], t.offset, t.size);
      entries.push({ name: slotTensorName(t.name, s.name), shape: t.shape, data: exact(s) ? stored : scaled(stored, s.scale) });
    }
  }
  return encodeSafetensors(entries, {
    ...info.extra,
    format: 'pt', // the tensors are PyTorch's: what Hugging Face's loaders look for
    format_version: CHECKPOINT_VERSION,
    epoch: String(state.epoch),
    step: String(state.step),
    rng_state: JSON.stringify({ algorithm: RNG_ALGORITHM, state: state.rng }),
    hyperparameters: JSON.stringify(info.hyperparameters),
    dataset_sha256: JSON.stringify(info.datasetSha256),
    training: JSON.stringify(info.training),
  });
}

/** Parses the file and its metadata; every problem names the file and the key or tensor. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const { tensors, metadata: m } = decodeSafetensors(bytes, file);
  const fail = (why: string): never => { throw new CheckpointError(`${file}: ${why}`); };
  if (m.format_version !== CHECKPOINT_VERSION) {
    fail(m.format_version === undefined ? 'no format_version in its metadata: not a checkpoint written by onnx-mnist train'
      : `checkpoint format version ${m.format_version}; this onnx-mnist reads version ${CHECKPOINT_VERSION}`);
  }
  const count = (key: string, max = Number.MAX_SAFE_INTEGER) => {
    const v = Number(m[key]);
    return /^\d+$/.test(m[key] ?? '') && v <= max ? v : fail(`metadata "${key}" must be an integer 0..${max}, got ${JSON.stringify(m[key])}`);
  };
  const json = <T>(key: string, ok: (v: unknown) => boolean, what: string): T => {
    let v: unknown;
    try { v = JSON.parse(m[key] ?? ''); } catch { fail(`metadata "${key}" is missing or not JSON`); }
    return ok(v) ? (v as T) : fail(`metadata "${key}" must be ${what}`);
  };
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const rng = json<{ algorithm: unknown; state: unknown }>('rng_state', isObject, 'an object');
  if (rng.algorithm !== RNG_ALGORITHM) fail(`metadata "rng_state": algorithm ${JSON.stringify(rng.algorithm)}, this onnx-mnist uses ${RNG_ALGORITHM}`);
  if (!Number.isInteger(rng.state) || (rng.state as number) < 0 || (rng.state as number) > 0xffffffff) fail('metadata "rng_state": state must be a 32-bit unsigned integer');
  const epoch = count('epoch');
  const record = (r: unknown, i: number) => {
    const e = r as EpochRecord;
    return isObject(r) && e.epoch === i + 1 && typeof e.trainLoss === 'number' && (typeof e.testAccuracy === 'number' || e.testAccuracy === null);
  };
  const training = json<EpochRecord[]>('training', (v) => Array.isArray(v) && v.every(record), 'a list of per-epoch records (epoch 1, 2, ... with trainLoss and testAccuracy)');
  if (training.length !== epoch) fail(`metadata "training" holds ${training.length} epochs' reports, "epoch" says ${epoch}`);
  const own = new Set(['format', 'format_version', 'epoch', 'step', 'rng_state', 'hyperparameters', 'dataset_sha256', 'training']);
  return {
    file, tensors, epoch, step: count('step'), rng: rng.state as number, training,
    extra: Object.fromEntries(Object.entries(m).filter(([k]) => !own.has(k))),
    hyperparameters: json('hyperparameters', isObject, 'an object'),
    datasetSha256: json('dataset_sha256', (v) => isObject(v) && Object.values(v as object).every((x) => typeof x === 'string'), 'an object of file name -> sha256'),
  };
}

/** The state for this model and optimizer: every tensor present with its dtype and shape, and no other. */
export function checkpointState(ckpt: Checkpoint, model: Model, optimizer: Optimizer): TrainState {
  const fail = (why: string): never => { throw new CheckpointError(`${ckpt.file}: ${why}`); };
  const used = new Set<string>();
  const read = (name: string, shape: readonly number[], dtype: 'F32' | 'F64') => {
    const t = ckpt.tensors.get(name) ?? fail(`no tensor "${name}" (this run's ${model.kind} and ${optimizer.name} need it)`);
    if (t.dtype !== dtype) fail(`tensor "${name}" is ${t.dtype}, expected ${dtype}`);
    if (t.shape.join() !== shape.join()) fail(`tensor "${name}" has shape [${t.shape.join(', ')}], this run's model needs [${shape.join(', ')}]`);
    used.add(name);
    return dtype === 'F32' ? new Float32Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength / 4) : new Float64Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength / 8);
  };
  const P = model.layout.total;
  const params = new Float32Array(P);
  const slots = Object.fromEntries(optimizer.slots.map((s) => [s.name, new Float32Array(P)]));
  for (const t of model.layout.tensors) {
    params.set(read(t.name, t.shape, 'F32'), t.offset);
    for (const s of optimizer.slots) {
      const v = read(slotTensorName(t.name, s.name), t.shape, exact(s) ? 'F32' : 'F64');
      if (exact(s)) slots[s.name].set(v, t.offset);
      else for (let i = 0; i < v.length; i++) slots[s.name][t.offset + i] = v[i] / s.scale; // float64, then rounded: exact
    }
  }
  const extra = [...ckpt.tensors.keys()].filter((k) => !used.has(k));
  if (extra.length) fail(`holds tensors this run's ${optimizer.name} does not use: ${extra.slice(0, 4).join(', ')}${extra.length > 4 ? ', ...' : ''}`);
  return { epoch: ckpt.epoch, step: ckpt.step, params, slots, rng: ckpt.rng };
}
