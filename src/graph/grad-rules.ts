// One reverse-mode rule per op, as small as its formula. Rules receive the op's
// inputs, the gradients of its outputs and its attributes, and return one gradient
// per input (undefined where an input takes none). The compiler checks that every
// op the builder can emit is listed, differentiable or not.
import type { Value } from './graph.js';
import {
  add, cast, div, equal, greater, exp, expand, gemm, log, mul, neg, reduceSum, reshape, reshapeLike,
  shapeOf, size, slice, sub, transpose, unsqueeze, where, type OpType,
} from './ops.js';
import { broadcastAxes, normAxis, sameShape } from './shape.js';
import { isFloating, type Attr } from './types.js';

export interface GradContext { attrs: Record<string, Attr>; outputs: Value[] }
/** NOTE: for a multi-output op, dys[k] is undefined where output k takes no gradient. */
export type GradRule = (inputs: (Value | undefined)[], dys: Value[], ctx: GradContext) => (Value | undefined)[];
/** No gradient flows through this op (its outputs are integers or piecewise constant). */
export const NONDIFF = 'nondiff' as const;
/** Differentiable in math, but no rule is written: differentiating through it throws. */
export const NO_RULE = 'no-rule' as const;
export type GradEntry = GradRule | typeof NONDIFF | typeof NO_RULE;

const intAttr = (c: GradContext, k: string, d: number) => (c.attrs[k]?.value as number | undefined) ?? d;
const intsAttr = (c: GradContext, k: string) => c.attrs[k]?.value as number[] | undefined;

/** Sums a broadcast gradient back to the shape of the input it flowed from. */
export function sumTo(g: Value, like: Value): Value {
  if (sameShape(g.shape, like.shape)) return g;
  if (!g.shape || !like.shape) throw new Error(`sumTo: shapes of ${g.name} and ${like.name} must be known`);
  const axes = broadcastAxes(like.shape, g.shape);
  const lead = g.shape.length - like.shape.length;
  // Summing exactly the added leading axes (a bias) needs no reshape afterwards.
  if (lead > 0 && axes.length === lead) return reduceSum(g, axes, 0);
  const s = axes.length ? reduceSum(g, axes, 1) : g;
  if (s.rank === like.rank) return s;
  return like.shape.every((d) => typeof d === 'number') ? reshape(s, like.shape as number[]) : reshapeLike(s, like);
}

/** The constant values of an initializer (axes inputs of ReduceSum, Unsqueeze). */
function constValues(v: Value | undefined): number[] | undefined {
  const t = v && v.graph.root.initializers.get(v.name)?.tensor;
  return t ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
}

/** The gradient of a reduction, spread back over the reduced axes. */
function spread(dy: Value, x: Value, axes: number[] | undefined, keepdims: number): Value {
  const rank = x.rank!;
  const kept = keepdims || !axes ? dy : unsqueeze(dy, axes.map((a) => normAxis(a, rank)));
  const flat = !keepdims && !axes ? reshape(dy, new Array(rank).fill(1)) : kept;
  return expand(flat, shapeOf(x), x.shape);
}

export const GRAD_RULES = {
  // y = a + b  =>  da = dy, db = dy (summed over broadcast axes)
  Add: ([a, b], [dy]) => [sumTo(dy, a!), sumTo(dy, b!)],
  // y = a - b  =>  da = dy, db = -dy
  Sub: ([a, b], [dy]) => [sumTo(dy, a!), sumTo(neg(dy), b!)],
  // y = a * b  =>  da = dy * b, db = dy * a
  Mul: ([a, b], [dy]) => [sumTo(mul(dy, b!), a!), sumTo(mul(dy, a!), b!)],
  // y = a / b  =>  da = dy / b, db = -dy * y / b
  Div: ([a, b], [dy], { outputs: [y] }) => [sumTo(div(dy, b!), a!), sumTo(neg(div(mul(dy, y), b!)), b!)],
  // y = a ^ b  =>  da = dy * b * a^(b-1) = dy * b * y / a, db = dy * y * ln a
  Pow: ([a, b], [dy], { outputs: [y] }) => [sumTo(div(mul(mul(dy, b!), y), a!), a!), sumTo(mul(mul(dy, y), log(a!)), b!)],
  // y = relu(x)  =>  dx = dy * [x > 0]  (a Where: one op fewer than dy * cast(x > 0))
  Relu: ([x], [dy]) => [where(greater(x!, 0), dy, zeroOf(dy))],
  // y = e^x  =>  dx = dy * y
  Exp: (_, [dy], { outputs: [y] }) => [mul(dy, y)],
  // y = ln x  =>  dx = dy / x
  Log: ([x], [dy]) => [div(dy, x!)],
  // y = -x  =>  dx = -dy
  Neg: (_, [dy]) => [neg(dy)],
  // y = sqrt x  =>  dx = dy / (2 y)
  Sqrt: (_, [dy], { outputs: [y] }) => [div(dy, mul(y, 2))],
  // y = 1 / (1 + e^-x)  =>  dx = dy * y * (1 - y)
  Sigmoid: (_, [dy], { outputs: [y] }) => [mul(mul(dy, y), sub(1, y))],
  // y = tanh x  =>  dx = dy * (1 - y^2)
  Tanh: (_, [dy], { outputs: [y] }) => [mul(dy, sub(1, mul(y, y)))],
  Identity: (_, [dy]) => [dy],
  // A cast between float types passes the gradient back in the input's type; from integers, none.
  Cast: ([x], [dy]) => [isFloating(x!.dtype) ? cast(dy, x!.dtype) : undefined],
  // y = alpha A'B' + beta C  =>  dA' = alpha dy B'^T, dB' = alpha A'^T dy, dC = beta dy
  Gemm: ([a, b, c], [dy], ctx) => {
    const tA = intAttr(ctx, 'transA', 0), tB = intAttr(ctx, 'transB', 0);
    const alpha = ctx.attrs.alpha?.value as number ?? 1, beta = ctx.attrs.beta?.value as number ?? 1;
    const at = { alpha };
    const da = tA ? gemm(b!, dy, undefined, { ...at, transA: tB as 0 | 1, transB: 1 }) : gemm(dy, b!, undefined, { ...at, transB: (1 - tB) as 0 | 1 });
    const db = tB ? gemm(dy, a!, undefined, { ...at, transA: 1, transB: tA as 0 | 1 }) : gemm(a!, dy, undefined, { ...at, transA: (1 - tA) as 0 | 1 });
    return [da, db, c && sumTo(beta === 1 ? dy : mul(dy, beta), c)];
  },
  // y = A B (2-D)  =>  dA = dy B^T, dB = A^T dy
  MatMul: ([a, b], [dy]) => [gemm(dy, b!, undefined, { transB: 1 }), gemm(a!, dy, undefined, { transA: 1 })],
  // y = x^perm  =>  dx = dy^(perm^-1)
  Transpose: ([x], [dy], ctx) => {
    const perm = intsAttr(ctx, 'perm') ?? x!.shape!.map((_, i, s) => s.length - 1 - i);
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(dy, inv)];
  },
  ReduceSum: ([x, axes], [dy], ctx) => [spread(dy, x!, constValues(axes), intAttr(ctx, 'keepdims', 1)), undefined],
  // y = mean(x)  =>  dx = spread(dy) * |y| / |x|
  ReduceMean: ([x], [dy], ctx) => {
    const s = spread(dy, x!, intsAttr(ctx, 'axes'), intAttr(ctx, 'keepdims', 1));
    return [mul(s, div(cast(size(dy), x!.dtype), cast(size(x!), x!.dtype)))];
  },
  ReduceMax: NO_RULE,
  // y = x - logsumexp(x)  =>  dx = dy - softmax(x) * sum(dy)
  LogSoftmax: (_, [dy], ctx) => [sub(dy, mul(exp(ctx.outputs[0]), reduceSum(dy, [intAttr(ctx, 'axis', -1)], 1)))],
  // loss = -mean_i logp[i, label_i], logp = log_softmax(z)
  //   =>  dz = dloss * (softmax(z) - onehot(label)) / N  +  (dlogp - softmax(z) * sum(dlogp))
  SoftmaxCrossEntropyLoss: ([z, labels], [dloss, dlogp]: (Value | undefined)[], { outputs: [, logp] }) => {
    const p = exp(logp);
    const classes = z!.graph.constant(labels!.dtype, Array.from({ length: z!.shape![1] as number }, (_, i) => i));
    const onehot = cast(equal(unsqueeze(labels!, [1]), classes), z!.dtype);
    const fromLoss = dloss && mul(sub(p, onehot), div(dloss, cast(size(labels!), z!.dtype)));
    const fromLogp = dlogp && sub(dlogp, mul(p, reduceSum(dlogp, [1], 1)));
    return [fromLoss && fromLogp ? add(fromLoss, fromLogp) : (fromLoss ?? fromLogp), undefined];
  },
  // y = softmax(x)  =>  dx = y * (dy - sum(dy * y))
  Softmax: (_, [dy], { outputs: [y], attrs }) => [mul(y, sub(dy, reduceSum(mul(dy, y), [(attrs.axis?.value as number) ?? -1], 1)))],
  Reshape: ([x], [dy]) => [reshapeLike(dy, x!), undefined],
  Flatten: ([x], [dy]) => [reshapeLike(dy, x!)],
  Unsqueeze: ([x], [dy]) => [reshapeLike(dy, x!), undefined],
  Expand: ([x], [dy]) => [sumTo(dy, x!), undefined],
  // y = c ? a : b  =>  da = c ? dy : 0, db = c ? 0 : dy
  Where: ([c, a, b], [dy]) => [undefined, sumTo(where(c!, dy, zeroOf(dy)), a!), sumTo(where(c!, zeroOf(dy), dy), b!)],
  // y = [x0 | x1 | ...] along axis  =>  dxi = the slice of dy that xi became
  Concat: (xs, [dy], ctx) => {
    const axis = normAxis(intAttr(ctx, 'axis', 0), dy.rank!);
    let off = 0;
    return xs.map((x) => {
      const len = x!.shape![axis] as number;
      const g = slice(dy, dy.graph.constant('int64', [off]), dy.graph.constant('int64', [off + len]), [axis], x!.shape);
      off += len;
      return g;
    });
  },
  Slice: NO_RULE,
  Gather: NO_RULE,
  Loop: NO_RULE,
  Range: NO_RULE,
  Greater: NONDIFF,
  Less: NONDIFF,
  Equal: NONDIFF,
  ArgMax: NONDIFF,
  Shape: NONDIFF,
  Size: NONDIFF,
} satisfies Record<OpType, GradEntry>;

const zeroOf = (v: Value) => v.graph.constant(v.dtype, 0);
