import { describe, expect, it } from 'vitest';
import { IdxError, parseIdx } from '../../src/data/idx.js';

/** Builds an IDX file: magic [0, 0, type, dims.length], big-endian uint32 dims, then payload. */
function makeIdx(dims: number[], payload: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out.set([0, 0, type, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

function errorOf(fn: () => unknown): IdxError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdxError);
    return err as IdxError;
  }
  throw new Error('expected an IdxError, nothing was thrown');
}

describe('parseIdx', () => {
  it('parses a small 3-D unsigned-byte file', () => {
    const payload = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const parsed = parseIdx(makeIdx([2, 3, 4], payload), 'small');
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(payload);
  });

  it('reads dims as big-endian and works on a view with a non-zero offset', () => {
    const file = makeIdx([258], new Uint8Array(258).fill(7)); // 258 = 0x00000102
    const padded = new Uint8Array(file.length + 5);
    padded.set(file, 3);
    const parsed = parseIdx(padded.subarray(3, 3 + file.length), 'offset');
    expect(parsed.dims).toEqual([258]);
    expect(parsed.data.length).toBe(258);
    expect(parsed.data.every((v) => v === 7)).toBe(true);
  });

  it('reports truncated data with declared and actual sizes', () => {
    const header = makeIdx([60000, 28, 28], []);
    const bytes = new Uint8Array(header.length + 123);
    bytes.set(header);
    const err = errorOf(() => parseIdx(bytes, 'train-images-idx3-ubyte'));
    expect(err.file).toBe('train-images-idx3-ubyte');
    expect(err.message).toBe(
      'train-images-idx3-ubyte is truncated: header declares 60000x28x28 = 47040000 bytes of data, file has 123',
    );
  });

  it('reports a header cut short before the dims', () => {
    const err = errorOf(() => parseIdx(makeIdx([5, 5], new Uint8Array(25)).subarray(0, 9), 'short'));
    expect(err.message).toMatch(/^short is truncated inside its header/);
  });

  it('rejects trailing bytes', () => {
    const err = errorOf(() => parseIdx(makeIdx([2, 2], [1, 2, 3, 4, 5, 6]), 'extra'));
    expect(err.message).toMatch(/^extra has 2 trailing bytes: header declares 2x2 = 4 bytes of data, file has 6/);
  });

  it('rejects a wrong magic number', () => {
    const bytes = makeIdx([1], [0]);
    bytes[0] = 0x50;
    const err = errorOf(() => parseIdx(bytes, 'weird.bin'));
    expect(err.message).toMatch(/^weird\.bin is not an IDX file/);
    expect(err.message).toContain('0x50');
  });

  it('rejects files shorter than the magic number', () => {
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0]), 'tiny')).message).toMatch(/^tiny is too short/);
  });

  it('rejects an unsupported type code, naming it', () => {
    const err = errorOf(() => parseIdx(makeIdx([1], [0, 0, 0, 0], 0x0d), 'floats'));
    expect(err.message).toMatch(/^floats has IDX data type 0x0d/);
    expect(err.message).toContain('only 0x08 (unsigned byte) is supported');
  });

  it('rejects dimension counts outside 1..4', () => {
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'zero')).message).toMatch(/^zero declares 0 dimensions/);
    const five = makeIdx([1, 1, 1, 1, 1], [9]);
    expect(errorOf(() => parseIdx(five, 'five')).message).toMatch(/^five declares 5 dimensions/);
  });

  it('tells the caller to decompress a gzip file first', () => {
    const gz = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]);
    const err = errorOf(() => parseIdx(gz, 'labels.gz'));
    expect(err.file).toBe('labels.gz');
    expect(err.message).toMatch(/^labels\.gz is gzip-compressed; decompress it first/);
  });
});
