// Reading a generated config.pbtxt the way Triton does: Debian's protoc parses the
// text format against our transcription of Triton's schema (test/fixtures), refusing
// any field or enum value outside it; protobufjs decodes the result for comparisons.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const SCHEMA = 'triton-model-config.proto';

/** protoc's verdict on a config.pbtxt: the binary message, or its error. */
export function encodeConfig(text: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const r = spawnSync('protoc', [`--proto_path=${FIXTURES}`, '--encode=inference.ModelConfig', SCHEMA], { input: text });
  // NOTE: no protoc is a failure, never a skip: CI installs Debian's protobuf-compiler (.ci/run).
  if (r.error) throw new Error(`protoc could not run (${r.error.message}); install Debian's protobuf-compiler`);
  return r.status === 0 ? { ok: true, bytes: new Uint8Array(r.stdout) } : { ok: false, error: r.stderr.toString() };
}

export interface TritonTensorConfig { name: string; data_type: string; dims: number[]; reshape?: { shape?: number[] }; label_filename?: string }
export interface TritonConfig {
  name: string;
  platform?: string;
  backend?: string;
  max_batch_size?: number;
  input: TritonTensorConfig[];
  output: TritonTensorConfig[];
  dynamic_batching?: { max_queue_delay_microseconds?: number };
  instance_group?: { count?: number; kind?: string }[];
}

/** The config as Triton holds it after parsing (enum values by name, 64-bit numbers as numbers). */
export function parseConfig(text: string): TritonConfig {
  const r = encodeConfig(text);
  if (!r.ok) throw new Error(`protoc refused the config:\n${r.error}`);
  const type = new protobuf.Root().loadSync(path.join(FIXTURES, SCHEMA), { keepCase: true }).lookupType('inference.ModelConfig');
  return type.toObject(type.decode(r.bytes), { enums: String, longs: Number, arrays: true }) as TritonConfig;
}
