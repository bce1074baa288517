// Op constructors, spelled as in the ONNX spec (opset 17). Inputs are positional,
// attributes typed, and each returns Value handles with inferred dtype and shape.
import { Graph, graphOf, type Value } from './graph.js';
import { broadcast, normAxis, reduced } from './shape.js';
import { float, int, ints, type Attr, type DType, type Dim, type Shape } from './types.js';

export type Operand = Value | number;

/** Every op the builder can emit; the gradient table must say something about each. */
export type OpType =
  | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Greater' | 'Less' | 'Equal'
  | 'Relu' | 'Exp' | 'Log' | 'Neg' | 'Sqrt' | 'Sigmoid' | 'Tanh' | 'Identity' | 'Cast'
  | 'Gemm' | 'MatMul' | 'Transpose' | 'ReduceSum' | 'ReduceMean' | 'ReduceMax'
  | 'Softmax' | 'LogSoftmax' | 'ArgMax' | 'Reshape' | 'Flatten' | 'Unsqueeze'
  | 'Shape' | 'Size' | 'Expand' | 'Where' | 'Slice' | 'Gather' | 'Concat' | 'Loop' | 'SoftmaxCrossEntropyLoss' | 'Range';

/** Lifts numbers to constants of the other operand's dtype. */
function lift(a: Operand, b: Operand): [Value, Value] {
  if (typeof a !== 'number' && typeof b !== 'number') return [a, b];
  if (typeof a === 'number' && typeof b === 'number') throw new Error('an op needs at least one Value');
  const v = (typeof a === 'number' ? b : a) as Value;
  const c = (n: Operand) => (typeof n === 'number' ? v.graph.constant(v.dtype, n) : n);
  return [c(a), c(b)];
}

const one = (op: OpType, inputs: (Value | undefined)[], dtype: DType, shape: Shape | undefined, attrs: Record<string, Attr> = {}): Value =>
  graphOf(inputs).emit(op, inputs, attrs, [[dtype, shape]])[0];

function binary(op: OpType, a: Operand, b: Operand, outType?: DType): Value {
  const [x, y] = lift(a, b);
  if (x.dtype !== y.dtype) throw new Error(`${op}: dtype ${x.dtype} vs ${y.dtype}`);
  return one(op, [x, y], outType ?? x.dtype, broadcast(x.shape, y.shape));
}

export const add = (a: Operand, b: Operand) => binary('Add', a, b);
export const sub = (a: Operand, b: Operand) => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand) => binary('Mul', a, b);
export const div = (a: Operand, b: Operand) => binary('Div', a, b);
export const pow = (a: Operand, b: Operand) => binary('Pow', a, b);
export const greater = (a: Operand, b: Operand) => binary('Greater', a, b, 'bool');
export const less = (a: Operand, b: Operand) => binary('Less', a, b, 'bool');
export const equal = (a: Operand, b: Operand) => binary('Equal', a, b, 'bool');

const unary = (op: OpType) => (x: Value) => one(op, [x], x.dtype, x.shape);
export const relu = unary('Relu');
export const exp = unary('Exp');
export const log = unary('Log');
export const neg = unary('Neg');
export const sqrt = unary('Sqrt');
export const sigmoid = unary('Sigmoid');
export const tanh = unary('Tanh');
export const identity = unary('Identity');

const ONNX_TYPE: Record<DType, number> = { float: 1, uint8: 2, int32: 6, int64: 7, bool: 9, double: 11 };
export const onnxTypeOf = (d: DType): number => ONNX_TYPE[d];
export const cast = (x: Value, to: DType) => one('Cast', [x], to, x.shape, { to: int(ONNX_TYPE[to]) });

export interface GemmAttrs { alpha?: number; beta?: number; transA?: 0 | 1; transB?: 0 | 1 }
/** y = alpha * A' B' + beta * C, A' = transA ? A^T : A. */
export function gemm(a: Value, b: Value, c?: Value, at: GemmAttrs = {}): Value {
  const { alpha = 1, beta = 1, transA = 0, transB = 0 } = at;
  const m = a.shape?.[transA ? 1 : 0];
  const n = b.shape?.[transB ? 0 : 1];
  const shape = m !== undefined && n !== undefined ? [m, n] : undefined;
  return one('Gemm', c ? [a, b, c] : [a, b], a.dtype, shape, {
    alpha: float(alpha), beta: float(beta), transA: int(transA), transB: int(transB),
  });
}

export function matmul(a: Value, b: Value): Value {
  const sa = a.shape, sb = b.shape;
  const shape = sa?.length === 2 && sb?.length === 2 ? [sa[0], sb[1]] : undefined;
  return one('MatMul', [a, b], a.dtype, shape);
}

export function transpose(x: Value, perm?: number[]): Value {
  const p = perm ?? x.shape?.map((_, i, s) => s.length - 1 - i);
  return one('Transpose', [x], x.dtype, p && x.shape ? p.map((i) => x.shape![i]) : undefined, p ? { perm: ints(p) } : {});
}

const i64 = (x: Value, v: readonly number[]) => x.graph.constant('int64', v);

/** opset 17: ReduceSum takes axes as an input; an empty axes list reduces everything. */
export function reduceSum(x: Value, axes?: number[], keepdims: 0 | 1 = 1): Value {
  return one('ReduceSum', axes ? [x, i64(x, axes)] : [x], x.dtype, reduced(x.shape, axes, keepdims === 1), { keepdims: int(keepdims) });
}
// NOTE: in opset 17 ReduceMean and ReduceMax still take axes as an attribute (until opset 18).
export function reduceMean(x: Value, axes?: number[], keepdims: 0 | 1 = 1): Value {
  return one('ReduceMean', [x], x.dtype, reduced(x.shape, axes, keepdims === 1), { keepdims: int(keepdims), ...(axes ? { axes: ints(axes) } : {}) });
}
export function reduceMax(x: Value, axes?: number[], keepdims: 0 | 1 = 1): Value {
  return one('ReduceMax', [x], x.dtype, reduced(x.shape, axes, keepdims === 1), { keepdims: int(keepdims), ...(axes ? { axes: ints(axes) } : {}) });
}

export const softmax = (x: Value, axis = -1) => one('Softmax', [x], x.dtype, x.shape, { axis: int(axis) });
export const logSoftmax = (x: Value, axis = -1) => one('LogSoftmax', [x], x.dtype, x.shape, { axis: int(axis) });
export function argMax(x: Value, axis = -1, keepdims: 0 | 1 = 0): Value {
  return one('ArgMax', [x], 'int64', reduced(x.shape, x.shape ? [normAxis(axis, x.shape.length)] : undefined, keepdims === 1), { axis: int(axis), keepdims: int(keepdims) });
}

/** Reshape to a static target (-1 and 0 as in ONNX; the result shape is given when dims are dynamic). */
export function reshape(x: Value, dims: readonly number[], resultShape?: Shape): Value {
  return one('Reshape', [x, i64(x, dims)], x.dtype, resultShape ?? (dims.every((d) => d > 0) ? dims : undefined));
}
/** Reshape to the runtime shape of another value. */
export const reshapeLike = (x: Value, like: Value) => one('Reshape', [x, shapeOf(like)], x.dtype, like.shape);

export function flatten(x: Value, axis = 1): Value {
  const s = x.shape;
  const prod = (d: readonly Dim[]) => (d.every((n) => typeof n === 'number') ? (d as number[]).reduce((a, b) => a * b, 1) : undefined);
  const shape = s ? [prod(s.slice(0, axis)) ?? s[0], prod(s.slice(axis)) ?? 'M'] : undefined;
  return one('Flatten', [x], x.dtype, shape, { axis: int(axis) });
}

export function unsqueeze(x: Value, axes: number[]): Value {
  let shape: Dim[] | undefined = x.shape ? [...x.shape] : undefined;
  if (shape) for (const a of [...axes].sort((p, q) => p - q)) shape.splice(normAxis(a, shape.length + 1), 0, 1);
  return one('Unsqueeze', [x, i64(x, axes)], x.dtype, shape);
}

/** [start, start + delta, ...) below limit; scalars of one dtype. */
export const range = (start: Value, limit: Value, delta: Value) => one('Range', [start, limit, delta], start.dtype, ['R']);

export const shapeOf = (x: Value) => one('Shape', [x], 'int64', [x.rank ?? 'R']);
export const size = (x: Value) => one('Size', [x], 'int64', []);
export const expand = (x: Value, shape: Value, resultShape?: Shape) => one('Expand', [x, shape], x.dtype, resultShape);
export const where = (c: Value, a: Value, b: Value) => one('Where', [c, a, b], a.dtype, broadcast(c.shape, broadcast(a.shape, b.shape)));

/** Slice along axes with Value bounds (1-D int64); ends are clamped by ONNX, so a short last batch works. */
export function slice(x: Value, starts: Value, ends: Value, axes: number[], resultShape?: Shape): Value {
  return one('Slice', [x, starts, ends, i64(x, axes)], x.dtype, resultShape);
}

export function gather(data: Value, indices: Value, axis = 0): Value {
  const s = data.shape, t = indices.shape;
  const shape = s && t ? [...s.slice(0, axis), ...t, ...s.slice(axis + 1)] : undefined;
  return one('Gather', [data, indices], data.dtype, shape, { axis: int(axis) });
}

export function concat(xs: Value[], axis: number): Value {
  const s0 = xs[0].shape;
  let shape: Dim[] | undefined;
  if (s0 && xs.every((x) => x.shape)) {
    const a = normAxis(axis, s0.length);
    const lens = xs.map((x) => x.shape![a]);
    shape = [...s0];
    shape[a] = lens.every((l) => typeof l === 'number') ? (lens as number[]).reduce((p, q) => p + q, 0) : 'C';
  }
  return one('Concat', xs, xs[0].dtype, shape, { axis: int(axis) });
}

/**
 * Mean softmax cross-entropy of scores [N, C] against integer labels [N] (int32 or
 * int64), and the log-probabilities. One fused op: its gradient rule is a handful
 * of ops, where the same loss from primitives costs about twenty per step.
 */
export function softmaxCrossEntropyLoss(scores: Value, labels: Value): [loss: Value, logProb: Value] {
  const [loss, logp] = graphOf([scores, labels]).emit('SoftmaxCrossEntropyLoss', [scores, labels],
    { reduction: { type: 'string', value: 'mean' } }, [[scores.dtype, []], [scores.dtype, scores.shape]]);
  return [loss, logp];
}

/**
 * ONNX Loop, run `trip` times. `step` receives the iteration number and the carried
 * values (as body values; outer values stay visible by name) and returns their next
 * values plus per-iteration outputs. Returns the final carried values, then each
 * per-iteration output stacked along a new first axis.
 */
export function loop(trip: Value, carried: Value[], step: (iter: Value, carried: Value[]) => { next: Value[]; scan?: Value[] }): Value[] {
  const outer = graphOf([trip, ...carried]);
  // NOTE: a body value that reuses an outer name fails in ORT as "graph is not acyclic": prefixed fresh names.
  const body = new Graph(`${outer.name}_body`, outer, `${outer.name}_body/`);
  const iter = body.input(body.freshName('iter'), 'int64', []);
  const cond = body.input(body.freshName('cond'), 'bool', []);
  const inner = carried.map((c) => body.input(body.freshName('carried'), c.dtype, c.shape ?? []));
  const { next, scan = [] } = step(iter, inner);
  if (next.length !== carried.length) throw new Error(`loop: ${carried.length} carried values, ${next.length} next values`);
  body.outputs = [identity(cond), ...next, ...scan];
  return outer.emit('Loop', [trip, undefined, ...carried], { body: { type: 'graph', value: body } }, [
    ...carried.map((c): [DType, Shape | undefined] => [c.dtype, c.shape]),
    ...scan.map((v): [DType, Shape | undefined] => [v.dtype, v.shape && ['iterations', ...v.shape]]),
  ]);
}
