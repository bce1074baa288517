// Element types, shapes and attributes of the builder: the vocabulary shared by
// ops, gradient rules and the serializer.

export type DType = 'float' | 'double' | 'int64' | 'int32' | 'uint8' | 'bool';

/** A dimension: a number when known at build time, a symbol ('N') when dynamic. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface ConstTensor {
  dtype: DType;
  dims: readonly number[];
  data: TensorData;
}

/**
 * An attribute carries its ONNX type: a JS number does not say int or float, and
 * ORT refuses a mistyped one (Gemm's alpha written as INT fails at load).
 */
export type Attr =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: ConstTensor }
  | { type: 'graph'; value: import('./graph.js').Graph };

export const int = (value: number): Attr => ({ type: 'int', value });
export const float = (value: number): Attr => ({ type: 'float', value });
export const ints = (value: readonly number[]): Attr => ({ type: 'ints', value });

export function typedArrayFor(dtype: DType, values: ArrayLike<number> | number[]): TensorData {
  switch (dtype) {
    case 'float': return Float32Array.from(values);
    case 'double': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    case 'int32': return Int32Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values);
  }
}

export const isFloating = (d: DType): boolean => d === 'float' || d === 'double';
