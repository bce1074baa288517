// How pixels enter every program: torchvision's ToTensor (x / 255) and Normalize,
// inside the graph, from primitive ops (no gradient rules needed: nothing upstream trains).
import type { Value } from '../graph/graph.js';
import { cast, div, mul, sub } from '../graph/ops.js';

export interface Stats { mean: number; std: number }

/** (x - mean) / std, as torchvision's Normalize, on pixels already in [0, 1]. */
export const normalize = (x01: Value, stats: Stats) => div(sub(x01, stats.mean), stats.std);

/** uint8 pixels to [0, 1], as torchvision's ToTensor (x / 255). */
export const toUnit = (u8: Value) => div(cast(u8, 'float'), 255);

/** ToTensor then Normalize in two passes on pixel values 0..255 held as floats: x * (1 / (255 std)) - mean / std. */
export const normalizePixelValues = (x255: Value, stats: Stats) => sub(mul(x255, 1 / (255 * stats.std)), stats.mean / stats.std);

/** The same on uint8 pixels. */
export const normalizeBytes = (u8: Value, stats: Stats) => normalizePixelValues(cast(u8, 'float'), stats);
