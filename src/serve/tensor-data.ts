// Tensor contents as JSON arrays, flat or nested, checked element by element
// so a client learns exactly which value is wrong and why.
import { badRequest } from './errors.js';

/** What a tensor's elements may be: numbers in [lo, hi], whole ones if `integer`; `why` words a refusal. */
export interface ElementCheck {
  lo: number;
  hi: number;
  integer: boolean;
  why(x: number): string;
}

/** FP32 pixels: model input is [0, 1]. */
export const unitFloat: ElementCheck = { lo: 0, hi: 1, integer: false, why: (x) => `is ${x}; FP32 pixels must be in [0, 1] (send UINT8 for 0..255)` };

/** UINT8 pixels: whole numbers 0..255. */
export const byte: ElementCheck = { lo: 0, hi: 255, integer: true, why: (x) => `is ${x}; UINT8 pixels must be whole numbers 0..255` };

/** The people's route takes either scale; the range check is the union. */
export const pixelValue: ElementCheck = { lo: 0, hi: 255, integer: false, why: (x) => `is ${x}; pixels must be 0..255 (or 0..1)` };

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'string' ? `the string ${JSON.stringify(x.slice(0, 20))}` : `a ${typeof x}`;
}

/** The refusal for a value that failed the check. */
function refusal(x: unknown, check: ElementCheck): string {
  return typeof x === 'number' ? check.why(x) : `is ${describe(x)}, not a number`;
}

/**
 * Copies `data` (flat with shape's element count, or nested exactly as `shape`)
 * into a new Float32Array. `what` names the field in error messages.
 */
export function readTensorData(data: unknown, shape: number[], what: string, check: ElementCheck): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(data)) throw badRequest(`${what} must be an array of ${count} numbers, flat or nested as [${shape}]`);
  const out = new Float32Array(count);
  const { lo, hi, integer } = check;
  // One comparison chain per element, inlined: this loop runs for every pixel of every request.
  const ok = (x: unknown): x is number => typeof x === 'number' && x >= lo && x <= hi && (!integer || Number.isInteger(x));
  if (data.length > 0 && !Array.isArray(data[0])) {
    if (data.length !== count) {
      throw badRequest(`${what} has ${data.length} values; shape [${shape}] needs ${count}`);
    }
    for (let i = 0; i < count; i++) {
      const x = data[i];
      if (!ok(x)) throw badRequest(`${what}[${i}] ${refusal(x, check)}`);
      out[i] = x;
    }
    return out;
  }
  let at = 0;
  const walk = (arr: unknown, dim: number, path: string) => {
    if (!Array.isArray(arr) || arr.length !== shape[dim]) {
      const got = Array.isArray(arr) ? `${arr.length} entries` : describe(arr);
      throw badRequest(`${what}${path} has ${got}; shape [${shape}] needs ${shape[dim]} there (or send all ${count} values flat)`);
    }
    if (dim === shape.length - 1) {
      for (let i = 0; i < arr.length; i++) {
        const x = arr[i];
        if (!ok(x)) throw badRequest(`${what}${path}[${i}] ${refusal(x, check)}`);
        out[at++] = x;
      }
    } else for (let i = 0; i < arr.length; i++) walk(arr[i], dim + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return out;
}
