// The safetensors format against the reference implementation's own test vectors
// (huggingface/safetensors, safetensors/src/tensor.rs, tests test_serialization,
// test_deserialization, test_metadata_incomplete_buffer, ...): bytes it writes, files it
// accepts and files it refuses, each refusal named.
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../src/train/safetensors.js';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
const le64 = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
const zeros = (n: number) => new Array<number>(n).fill(0);
/** The reference's 2x2 I32 example: a 60-byte header and 16 zero bytes. */
const I32_2X2 = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
const decode = (b: Uint8Array) => decodeSafetensors(b, 'x.safetensors');
const refused = (b: Uint8Array) => {
  try {
    decode(b);
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return (e as Error).message;
  }
  throw new Error('decoded a file that should be refused');
};

describe('safetensors: what the reference implementation writes', () => {
  it('encodes F32 [1,2,3] = 0..5 byte for byte as the reference serialize() does', () => {
    const out = encodeSafetensors([{ name: 'attn.0', shape: [1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) }]);
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('pads the header with spaces to 8 bytes, puts wider dtypes first in the data, and round-trips', () => {
    const f32 = Float32Array.of(1.5, -2, 3e-40), f64 = Float64Array.of(Math.PI, -0);
    const out = encodeSafetensors([{ name: 'a', shape: [3], data: f32 }, { name: 'b', shape: [2, 1], data: f64 }], { note: 'é' });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + n)))).toEqual({
      __metadata__: { note: 'é' },
      a: { dtype: 'F32', shape: [3], data_offsets: [16, 28] },
      b: { dtype: 'F64', shape: [2, 1], data_offsets: [0, 16] },
    });
    const back = decode(out);
    expect(back.metadata).toEqual({ note: 'é' });
    expect(new Float32Array(back.tensors.get('a')!.bytes.buffer)).toEqual(f32);
    expect(new Float64Array(back.tensors.get('b')!.bytes.buffer)).toEqual(f64);
    expect(back.tensors.get('b')!.shape).toEqual([2, 1]);
  });

  it('refuses to write a shape that does not match the array, or a name twice', () => {
    expect(() => encodeSafetensors([{ name: 'a', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/shape \[2, 2\] holds 4 values, the array 3/);
    expect(() => encodeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1) }, { name: 'a', shape: [1], data: new Float32Array(1) }])).toThrow(/"a" given twice/);
  });
});

describe('safetensors: files the reference accepts', () => {
  it('the 2x2 I32 example, a scalar, an empty tensor and a whitespace-padded empty header', () => {
    const t = decode(bytes(le64(60), I32_2X2, zeros(16))).tensors.get('test')!;
    expect([t.dtype, t.shape, t.bytes.length]).toEqual(['I32', [2, 2], 16]);
    expect(decode(bytes(le64(56), '{"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', zeros(4))).tensors.get('test')!.shape).toEqual([]);
    expect(decode(bytes(le64(60), '{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}')).tensors.get('test')!.bytes.length).toBe(0);
    expect(decode(bytes(le64(6), '{}\r \t\n')).tensors.size).toBe(0);
    expect(decode(bytes(le64(6), '\t\n{}\r ')).tensors.size).toBe(0);
  });
});

describe('safetensors: files it refuses, each problem named with the file', () => {
  it('too short, a header length past the end or over the limit', () => {
    expect(refused(bytes())).toMatch(/^x\.safetensors: 0 bytes: too short/);
    expect(refused(bytes(le64(60)))).toMatch(/header length 60 runs past the end of the file \(8 bytes; truncated\?\)/);
    expect(refused(bytes([60, 0, 0, 0, 0, 0xff, 0xff, 0xff], I32_2X2, zeros(16)))).toMatch(/header length \d+ is over the format's limit/);
  });

  it('a header that is not UTF-8, not JSON or not an object', () => {
    expect(refused(bytes(le64(1), [0xff]))).toMatch(/header is not valid UTF-8/);
    expect(refused(bytes(le64(1), '{'))).toMatch(/header is not valid JSON/);
    expect(refused(bytes(le64(2), '[]'))).toMatch(/header is not a JSON object/);
  });

  it('data not covered exactly: trailing bytes, missing bytes', () => {
    expect(refused(bytes(le64(60), I32_2X2, zeros(16), 'extra_bogus_data_for_polyglot_file'))).toMatch(/34 bytes after the last tensor's data/);
    expect(refused(bytes(le64(60), I32_2X2, zeros(14)))).toMatch(/tensor "test": data_offsets \[0, 16\] run past the end of the data \(14 bytes; truncated file\?\)/);
  });

  it('overlapping tensors and holes between them', () => {
    const two = (a: string, b: string) => `{"a":{"dtype":"F32","shape":[2],"data_offsets":${a}},"b":{"dtype":"F32","shape":[2],"data_offsets":${b}}}`;
    const file = (h: string, data: number) => bytes(le64(h.length), h, zeros(data));
    expect(refused(file(two('[0,8]', '[4,12]'), 12))).toMatch(/tensors "a" and "b" overlap/);
    expect(refused(file(two('[0,8]', '[0,8]'), 8))).toMatch(/overlap/);
    expect(refused(file(two('[0,8]', '[12,20]'), 20))).toMatch(/bytes 8-12 of the data belong to no tensor \(a hole before "b"\)/);
  });

  it('a size that does not match dtype and shape, and shapes that overflow', () => {
    expect(refused(bytes(le64(60), '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}', zeros(4)))).toMatch(/I32 \[2, 2\] takes 16 bytes but data_offsets \[0, 4\] hold 4/);
    expect(refused(bytes(le64(79), '{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', zeros(16)))).toMatch(/shape must be a list of non-negative integers/);
    const huge = '{"test":{"dtype":"I32","shape":[2,9007199254740991],"data_offsets":[0,16]}}';
    expect(refused(bytes(le64(huge.length), huge, zeros(16)))).toMatch(/shape \[2, 9007199254740991\] is too large/);
  });

  it('an unknown dtype, bad offsets and non-string metadata', () => {
    const one = (info: string, meta = '') => { const h = `{${meta}"t":${info}}`; return bytes(le64(h.length), h, zeros(4)); };
    expect(refused(one('{"dtype":"F8","shape":[1],"data_offsets":[0,4]}'))).toMatch(/tensor "t": unknown dtype "F8" \(one of F64, F32/);
    expect(refused(one('{"dtype":"constructor","shape":[1],"data_offsets":[0,4]}'))).toMatch(/unknown dtype "constructor"/);
    expect(refused(one('{"dtype":"F32","shape":[1],"data_offsets":[4,0]}'))).toMatch(/data_offsets \[4, 0\] end before they begin/);
    expect(refused(one('{"dtype":"F32","shape":[1],"data_offsets":[0]}'))).toMatch(/data_offsets must be \[begin, end\]/);
    expect(refused(one('{"dtype":"F32","shape":[1],"data_offsets":[0,4]}', '"__metadata__":{"epoch":3},'))).toMatch(/__metadata__: "epoch" must be a string, got 3/);
    expect(refused(one('7'))).toMatch(/tensor "t": not an object/);
  });
});
