// The builder's core: a Graph owns nodes, inputs, outputs and constants; a Value
// is a handle to one named tensor in it. Op constructors (ops.ts) derive the graph
// from their inputs, so model code reads like the math and never names tensors.
import type { Attr, ConstTensor, DType, Shape, TensorData } from './types.js';
import { typedArrayFor } from './types.js';

export class Value {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    /** undefined when the builder cannot infer it */
    readonly shape: Shape | undefined,
  ) {}

  get rank(): number | undefined {
    return this.shape?.length;
  }
}

export interface Node {
  opType: string;
  inputs: (Value | undefined)[];
  outputs: Value[];
  attrs: Record<string, Attr>;
  name: string;
}

interface Naming {
  next: number;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  outputs: Value[] = [];
  /** Initializers: constants and weights, kept in the root graph (subgraphs see them by outer scope). */
  readonly initializers = new Map<string, { value: Value; tensor: ConstTensor }>();
  private readonly constCache = new Map<string, Value>();
  private readonly naming: Naming;
  readonly depth: number;

  constructor(
    readonly name = 'graph',
    readonly parent?: Graph,
    /** NOTE: a body value that reuses an outer name fails in ORT as "graph is not acyclic"; prefixes keep them apart. */
    private readonly prefix = '',
  ) {
    this.naming = parent ? parent.naming : { next: 0 };
    this.depth = parent ? parent.depth + 1 : 0;
  }

  get root(): Graph {
    return this.parent ? this.parent.root : this;
  }

  /** A fresh tensor name, unique across the root graph and all its subgraphs. */
  freshName(hint: string): string {
    return `${this.prefix}${hint}_${this.naming.next++}`;
  }

  /** Declares a graph input. Names of inputs are part of the model's contract, so they are explicit. */
  input(name: string, dtype: DType, shape: Shape): Value {
    const v = new Value(this, name, dtype, shape);
    this.inputs.push(v);
    return v;
  }

  /** Marks values as graph outputs, renaming them to contract names with Identity where needed. */
  output(...named: [string, Value][]): void {
    for (const [name, v] of named) {
      const out = v.name === name ? v : this.emit('Identity', [v], {}, [[v.dtype, v.shape]], name)[0];
      this.outputs.push(out);
    }
  }

  /** A named weight tensor stored as an initializer of the root graph. */
  initializer(name: string, tensor: ConstTensor): Value {
    const root = this.root;
    if (root.initializers.has(name)) throw new Error(`initializer ${name} defined twice`);
    const v = new Value(root, name, tensor.dtype, tensor.dims);
    root.initializers.set(name, { value: v, tensor });
    return v;
  }

  /** A constant, deduplicated; scalars when dims is []. */
  constant(dtype: DType, values: number | readonly number[], dims?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    const root = this.root;
    const key = `${dtype}|${shape.join(',')}|${list.join(',')}`;
    const cached = root.constCache.get(key);
    if (cached) return cached;
    const data: TensorData = typedArrayFor(dtype, list);
    const v = this.initializer(root.freshName('const'), { dtype, dims: shape, data });
    root.constCache.set(key, v);
    return v;
  }

  /** Appends a node; outputs get fresh names unless one is given. */
  emit(
    opType: string,
    inputs: (Value | undefined)[],
    attrs: Record<string, Attr>,
    outs: [DType, Shape | undefined][],
    outName?: string,
  ): Value[] {
    const outputs = outs.map(([dtype, shape], i) =>
      new Value(this, outName && i === 0 ? outName : this.freshName(opType.toLowerCase()), dtype, shape),
    );
    this.nodes.push({ opType, inputs, outputs, attrs, name: this.freshName(`n_${opType}`) });
    return outputs;
  }
}

/** The graph an op over these inputs belongs to: the innermost one (a Loop body sees outer values). */
export function graphOf(values: readonly (Value | undefined)[]): Graph {
  let g: Graph | undefined;
  for (const v of values) if (v && (!g || v.graph.depth > g.depth)) g = v.graph;
  if (!g) throw new Error('an op needs at least one Value input to know its graph');
  return g;
}
