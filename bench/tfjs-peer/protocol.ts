// What Node asks of the TF.js peer page and what it answers: shared by both sides.

/**
 * fit: tf.layers + model.fit; loop: optimizer.minimize per batch, autodiff's gradients;
 * loop-xnn: the same loop with the layers' gradients written out so every matrix product
 * takes TF.js's fast (XNNPACK) path.
 */
export type PeerMode = 'fit' | 'loop' | 'loop-xnn';

export interface PeerOptions {
  threads: number;
  mode: PeerMode;
  epochs: number;
  /** auto (default): TF.js's choice, the threaded SIMD build here; simd: its single-threaded SIMD build (threads 1). */
  build?: 'auto' | 'simd';
}

export interface PeerResult {
  /** Wall seconds of each epoch; the first includes kernel warm-up (the .wasm compiles before it). */
  epochSeconds: number[];
  /** Test-set accuracy after the last epoch, as a fraction. */
  accuracy: number;
  simd: boolean;
  multithread: boolean;
  /** The .wasm file TF.js chose: follows from the two flags above. */
  flavour: string;
  /** XNNPACK's thread count as the backend reports it after init. */
  threads: number;
  mode: PeerMode;
  crossOriginIsolated: boolean;
  tfjsVersion: string;
}

/** The page defines this global once its module has loaded. */
export type RunPeer = (o: PeerOptions) => Promise<PeerResult>;
export const RUN_GLOBAL = 'runTfjsPeer';
