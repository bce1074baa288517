// A small seeded PRNG: the same seed gives the same weights and the same shuffles
// on every platform, which Math.random cannot promise.

/** A stream of uniform floats in [0, 1) whose position can be saved. */
export interface Rand {
  (): number;
  /** The 32-bit state: mulberry32(state) continues this stream where it stands (a checkpoint keeps it). */
  readonly state: number;
}

/** mulberry32: 32-bit state, uniform floats in [0, 1). `seed` is also a saved `state`. */
export function mulberry32(seed: number): Rand {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.defineProperty(next, 'state', { get: () => s, enumerable: true }) as Rand;
}

/** Fisher-Yates shuffle of 0..n-1 into an Int32Array (ORT's Gather takes int32 indices). */
export function permutation(n: number, rand: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
