// MNIST for training in the page: the four IDX files from our own server (compressed
// on the wire, cached by the browser for a day), parsed by the same IDX reader as Node.
import { DATA_URL } from '../contract/artifact.js';
import type { ImageSet, Split } from '../data/dataset.js';
import { parseIdx } from '../data/idx.js';
import { IDX_FILES } from '../data/mnist-spec.js';

export interface WebDataset extends ImageSet { checksums: Record<string, string> }

async function fetchIdx(name: string): Promise<{ bytes: Uint8Array; sha256: string }> {
  const res = await fetch(new URL(DATA_URL + name, location.href));
  if (!res.ok) throw new Error(`${DATA_URL}${name} answered HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { bytes, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
}

export async function loadMnist(): Promise<WebDataset> {
  const names = [IDX_FILES.trainImages, IDX_FILES.trainLabels, IDX_FILES.testImages, IDX_FILES.testLabels];
  const files = await Promise.all(names.map(fetchIdx));
  const [trImg, trLbl, teImg, teLbl] = files.map((f, i) => parseIdx(f.bytes, names[i]));
  const split = (img: typeof trImg, lbl: typeof trLbl): Split => ({ images: img.data, labels: lbl.data, count: img.dims[0] });
  return {
    train: split(trImg, trLbl),
    test: split(teImg, teLbl),
    rows: trImg.dims[1],
    cols: trImg.dims[2],
    checksums: Object.fromEntries(names.map((n, i) => [n, files[i].sha256])),
  };
}
