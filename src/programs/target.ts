// Where a program will run. Builders take it so that a speed trick for one execution
// provider (parameter groups for one CPU thread; later, Loop-free programs for WebGPU)
// is decided inside the module it speeds up, not by every caller.
export interface Target {
  /** The execution provider: 'cpu', 'cuda', 'webgpu', 'wasm'. */
  ep: string;
  /** Intra-op threads of the session. */
  threads: number;
  /** Overrides the training program the provider would get (benchmarks compare them on one provider). */
  program?: 'loop' | 'unrolled';
}
