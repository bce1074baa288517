// Runs an inference model over a split of images, fed as its contract says, and
// returns every image's probabilities and label: what `eval` reports on and what
// training's artifact check counts.
import * as ort from 'onnxruntime-node';
import { OUTPUTS } from '../contract/artifact.js';
import { toModelInput, type ModelContract } from '../contract/check.js';
import type { Split } from '../data/dataset.js';
import { sessionOptions, sideThreads } from './execution-provider.js';

export interface Classified {
  /** The model's `label` output, one class index per image. */
  predicted: Uint8Array;
  /** The model's `probabilities` output, row-major [count, classes]. */
  probabilities: Float32Array;
}

export type Feed = Pick<ModelContract, 'inputName' | 'range' | 'inkHigh'>;

/** Images per run: each run's intermediates stay in cache (the whole test set at once takes twice as long). */
const BATCH = 1000;

export async function classify(model: Uint8Array, split: Split, shape: { rows: number; cols: number }, feed: Feed, classes: number): Promise<Classified> {
  // A second core halves it; never spinning, so it does not steal a core from anything beside it.
  const session = await ort.InferenceSession.create(model, sessionOptions({ ep: 'cpu', threads: sideThreads(), spin: false }));
  // The contract's pixel mapping for each of the 256 byte values; one reused buffer holds a batch.
  const lut = toModelInput(Float32Array.from({ length: 256 }, (_, v) => v / 255), feed);
  const per = shape.rows * shape.cols, n = split.count;
  const pixels = new Float32Array(Math.min(BATCH, n) * per);
  const out: Classified = { predicted: new Uint8Array(n), probabilities: new Float32Array(n * classes) };
  try {
    for (let first = 0; first < n; first += BATCH) {
      const count = Math.min(BATCH, n - first);
      const images = split.images.subarray(first * per, (first + count) * per);
      for (let i = 0; i < images.length; i++) pixels[i] = lut[images[i]];
      const input = new ort.Tensor('float32', pixels.subarray(0, count * per), [count, 1, shape.rows, shape.cols]);
      const r = await session.run({ [feed.inputName]: input }, [OUTPUTS.probabilities.name, OUTPUTS.label.name]);
      const probs = r[OUTPUTS.probabilities.name].data as Float32Array, label = r[OUTPUTS.label.name].data as BigInt64Array;
      if (probs.length !== count * classes || label.length !== count) {
        throw new Error(`for ${count} images the model gave ${probs.length} probabilities and ${label.length} labels; expected ${count * classes} and ${count}`);
      }
      out.probabilities.set(probs, first * classes);
      for (let i = 0; i < count; i++) {
        const k = Number(label[i]);
        if (!(k >= 0 && k < classes)) throw new Error(`the model labelled image ${first + i} as class ${k}; classes are 0..${classes - 1}`);
        out.predicted[first + i] = k;
      }
    }
  } finally {
    await session.release();
  }
  return out;
}
