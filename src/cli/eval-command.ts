// The `onnx-mnist eval` command line that `train` prints when it is done, so the
// report is one copy-paste away. Its own module: `train` must not load the report code.

/** A word for a POSIX shell, quoted only when it needs to be. */
export const shellWord = (s: string) => (/^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `onnx-mnist eval` command line for a model (what `train` prints when done). */
export function evalCommand(o: { modelPath: string; dataDir?: string; logFile?: string }): string {
  const flags = [['--model', o.modelPath], ['--data', o.dataDir], ['--log', o.logFile]].filter((f): f is [string, string] => f[1] !== undefined);
  return ['onnx-mnist eval', ...flags.map(([k, v]) => `${k} ${shellWord(v)}`)].join(' ');
}
