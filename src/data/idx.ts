// Parser for the IDX format used by MNIST (http://yann.lecun.com/exdb/mnist/).
// Pure on purpose: no Node imports, so the browser bundle can use it too.

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** A problem with one IDX file; `file` is the name the caller gave it. */
export class IdxError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file} ${message}`);
    this.name = 'IdxError';
    this.file = file;
  }
}

const UBYTE = 0x08;
const MAX_DIMS = 4;

// Names of the other type codes, so an error says what the file actually holds.
const TYPE_NAMES: Record<number, string> = {
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * Parses an uncompressed IDX file of unsigned bytes. `data` is a view into
 * `bytes` (no copy), so keep `bytes` unmodified while it is in use.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  // Checked first: gzip is the usual way these files are downloaded, and
  // "bad magic" alone would not tell anyone what to do about it.
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new IdxError(name, 'is gzip-compressed; decompress it first (e.g. gunzip) and parse the result');
  }
  if (bytes.length < 4) {
    throw new IdxError(name, `is too short to be an IDX file: ${bytes.length} bytes, the magic number alone is 4`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(
      name,
      `is not an IDX file: magic number must start with 00 00, found ${hex(bytes[0])} ${hex(bytes[1])}`,
    );
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const what = TYPE_NAMES[type] ? ` (${TYPE_NAMES[type]})` : ' (not a valid IDX type)';
    throw new IdxError(name, `has IDX data type ${hex(type)}${what}; only 0x08 (unsigned byte) is supported`);
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new IdxError(name, `declares ${ndims} dimensions; expected 1 to ${MAX_DIMS}`);
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new IdxError(
      name,
      `is truncated inside its header: ${ndims} dimensions need ${headerLength} header bytes, file has ${bytes.length}`,
    );
  }

  // IDX sizes are big-endian uint32; DataView keeps us independent of host endianness.
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));

  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  const declared = `header declares ${dims.join('x')} = ${expected} bytes of data, file has ${actual}`;
  if (actual < expected) throw new IdxError(name, `is truncated: ${declared}`);
  // Trailing bytes usually mean a concatenated or mislabelled file; refuse rather than guess.
  if (actual > expected) throw new IdxError(name, `has ${actual - expected} trailing bytes: ${declared}`);

  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, expected) };
}
