#!/usr/bin/env node
// The command line: `onnx-mnist train`, `serve` and `export`, all registered from the
// `commands` table below.
import { Command, InvalidArgumentError, Option } from 'commander';
import { nonNegativeInt, positiveInt, positiveNumber } from './options.js';
import { DEFAULTS } from '../node/config.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../node/execution-provider.js';
import { runTrain } from '../node/run.js';
import { VERSION } from '../version.js';

const sizes = (s: string) => {
  const list = s.split(',').map((x) => positiveInt('each hidden size')(x.trim()));
  if (list.length === 0) throw new InvalidArgumentError('give at least one hidden size, e.g. 128,64');
  return list;
};

const program = new Command('onnx-mnist').version(VERSION).description('Train, ship and serve an MNIST classifier on ONNX Runtime');

type Register = (program: Command) => void;

const registerTrain: Register = (program) => program.command('train')
  .description('train the MLP on MNIST (or any IDX dataset) and write artifacts/mnist-mlp.onnx')
  .option('--epochs <n>', 'epochs', positiveInt('--epochs'), DEFAULTS.epochs)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), DEFAULTS.batchSize)
  .option('--lr <x>', 'Adam learning rate', positiveNumber('--lr'), DEFAULTS.optimizer.lr)
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', sizes, DEFAULTS.hidden)
  .option('--seed <n>', 'seed for init and shuffling', nonNegativeInt('--seed'), DEFAULTS.seed)
  .option('--data <dir>', 'folder with the four IDX files (raw or .gz); default: the bundled MNIST')
  .option('--out <dir>', 'output folder', 'artifacts')
  .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt('--threads'), DEFAULTS.threads)
  .addOption(new Option('--ep <provider>', 'execution provider').choices(EXECUTION_PROVIDERS as string[]).default(DEFAULTS.ep))
  .option('--limit <n>', 'train on the first n images only (0 = all)', nonNegativeInt('--limit'), DEFAULTS.trainLimit)
  .option('--chunk <n>', 'training steps per ONNX Runtime call', positiveInt('--chunk'), DEFAULTS.chunkSteps)
  .option('--log <file>', 'JSON-lines log of every epoch (default: <out>/train-log.jsonl)')
  .addOption(new Option('--ort-log <level>', 'ONNX Runtime session log on stderr').choices(['verbose', 'error']).default('error'))
  .action(async (o) => {
    await runTrain({
      ...DEFAULTS, epochs: o.epochs, batchSize: o.batchSize, optimizer: { name: 'adam', lr: o.lr }, hidden: o.hidden, seed: o.seed, threads: o.threads,
      ep: o.ep as ExecutionProvider, trainLimit: o.limit, chunkSteps: o.chunk, ortVerbose: o.ortLog === 'verbose',
      dataDir: o.data, outDir: o.out, logFile: o.log,
    });
  });

/** Every command, in --help order. */
const commands: Record<string, () => Register | Promise<Register>> = {
  train: () => registerTrain,
  // These load Hono, sharp and the web routes (~0.15 s of startup), so they are imported only when needed.
  serve: async () => (await import('./serve.js')).registerServe,
  export: async () => (await import('./export.js')).registerExport,
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
