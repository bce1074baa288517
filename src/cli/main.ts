#!/usr/bin/env node
// The command line: `onnx-mnist train`, `serve`, `export`, `eval` and `inspect`, all registered from the
// `commands` table below.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import type { Register } from './options.js';

const program = new Command('onnx-mnist').version(VERSION).description('Train, ship and serve an MNIST classifier on ONNX Runtime');

/** Every command, in --help order. */
const commands: Record<string, () => Register | Promise<Register>> = {
  train: async () => (await import('./train.js')).registerTrain,
  // These load Hono, sharp and the web routes (~0.15 s of startup), so they are imported only when needed.
  serve: async () => (await import('./serve.js')).registerServe,
  export: async () => (await import('./export.js')).registerExport,
  // Vega, sharp and a full protobuf decoder: loaded only for these commands.
  eval: async () => (await import('./eval.js')).registerEval,
  inspect: async () => (await import('./inspect.js')).registerInspect,
};
// A command named on the command line loads only its own module (`train` none of the
// serving stack); anything else (--help, no command, a typo) registers them all.
const named = process.argv[2];
for (const name of named && Object.hasOwn(commands, named) ? [named] : Object.keys(commands)) (await commands[name]())(program);

program.parseAsync().catch((e: unknown) => {
  // Expected failures (bad data, missing provider, ...) get their message; programming errors keep their stack.
  const bug = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || !(e instanceof Error);
  if (!bug && !process.env.DEBUG) console.error(`error: ${(e as Error).message}`);
  else console.error(e);
  process.exitCode = 1;
});
