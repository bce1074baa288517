// A dataset as the training core takes it: uint8 images and their labels, whoever
// loaded them (files in Node: src/node/load-dataset.ts; a fetch in the browser).

export interface Split {
  /** count x rows x cols pixels, row-major, 0 = background. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface ImageSet {
  train: Split;
  test: Split;
  rows: number;
  cols: number;
}
