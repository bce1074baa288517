// `onnx-mnist train`: flags in, a Node training run out (src/node/run.ts).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULTS } from '../node/config.js';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../node/execution-provider.js';
import { runTrain } from '../node/run.js';
import { OPTIMIZERS } from '../optim/index.js';
import type { Inheritable } from '../train/settings.js';
import { evalCommand } from './eval-command.js';
import { nonNegative, nonNegativeInt, positiveInt, positiveNumber, type Register } from './options.js';

/** "0.001 for adam, 0.01 for sgd": each optimizer's own default for a setting. */
const defaults = (setting: string) => Object.entries(OPTIMIZERS)
  .flatMap(([id, make]) => { const v = make({ name: id }).hyper[setting]; return v === undefined ? [] : [`${v} for ${id}`]; }).join(', ');

const sizes = (s: string) => {
  const list = s.split(',').map((x) => positiveInt('each hidden size')(x.trim()));
  if (list.length === 0) throw new InvalidArgumentError('give at least one hidden size, e.g. 128,64');
  return list;
};

export const registerTrain: Register = (program) => program.command('train')
  .description('train the MLP on MNIST (or any IDX dataset) and write artifacts/mnist-mlp.onnx')
  .option('--epochs <n>', 'epochs', positiveInt('--epochs'), DEFAULTS.epochs)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), DEFAULTS.batchSize)
  .addOption(new Option('--optimizer <name>', 'optimizer (PyTorch semantics)').choices(Object.keys(OPTIMIZERS)).default(DEFAULTS.optimizer.name))
  .option('--lr <x>', `learning rate (default: ${defaults('lr')})`, positiveNumber('--lr'))
  .option('--momentum <x>', `momentum (default: ${defaults('momentum')})`, nonNegative('--momentum'))
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', sizes, DEFAULTS.hidden)
  .option('--seed <n>', 'seed for init and shuffling', nonNegativeInt('--seed'), DEFAULTS.seed)
  .option('--data <dir>', 'folder with the four IDX files (raw or .gz); default: the bundled MNIST')
  .option('--out <dir>', 'output folder (with --resume: the resumed folder)', 'artifacts')
  .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt('--threads'), DEFAULTS.threads)
  .addOption(new Option('--ep <provider>', 'execution provider').choices(EXECUTION_PROVIDERS as string[]).default(DEFAULTS.ep))
  .option('--limit <n>', 'train on the first n images only (0 = all)', nonNegativeInt('--limit'), DEFAULTS.trainLimit)
  .option('--chunk <n>', 'training steps per ONNX Runtime call', positiveInt('--chunk'), DEFAULTS.chunkSteps)
  .addOption(new Option('--program <kind>', 'training program: auto = the Loop on cpu/cuda, unrolled steps on webgpu').choices(['auto', 'loop', 'unrolled']).default(DEFAULTS.program))
  .option('--log <file>', 'JSON-lines log of every epoch (default: <out>/train-log.jsonl)')
  .addOption(new Option('--ort-log <level>', 'ONNX Runtime session log on stderr').choices(['verbose', 'error']).default('error'))
  .option('--resume <dir>', 'continue from <dir>/checkpoint.safetensors to --epochs (settings left out are the checkpoint\'s; --out defaults to <dir>)')
  .option('--init-from <model.onnx>', 'start from a model\'s weights (initializers fc1.weight, ...) with a fresh optimizer')
  .option('--report', 'then evaluate the model: eval.json and report.html beside it (as `onnx-mnist eval`)')
  .action(async (o, cmd: Command) => {
    // With --resume, a setting the user did not type comes from the checkpoint, not from our default.
    const unset = (flag: string) => cmd.getOptionValueSource(flag) === undefined || cmd.getOptionValueSource(flag) === 'default';
    const inherit = (Object.entries(INHERITED) as [string, Inheritable][]).filter(([flag]) => unset(flag)).map(([, key]) => key);
    const { model } = await runTrain({
      ...DEFAULTS, epochs: o.epochs, batchSize: o.batchSize, optimizer: { name: o.optimizer, lr: o.lr, momentum: o.momentum }, hidden: o.hidden, seed: o.seed, threads: o.threads,
      ep: o.ep as ExecutionProvider, trainLimit: o.limit, chunkSteps: o.chunk, ortVerbose: o.ortLog === 'verbose', program: o.program,
      dataDir: o.data, outDir: o.resume && unset('out') ? o.resume : o.out, logFile: o.log, resume: o.resume, inherit, initFrom: o.initFrom,
    });
    const report = { modelPath: model, dataDir: o.data, logFile: o.log };
    // Imported only here: Vega and the report code stay out of every plain training run.
    if (o.report) await (await import('./eval.js')).evalAndPrint(report);
    else console.log(`make the report: ${evalCommand(report)}`);
  });

/** Commander's option key -> the setting a resumed run takes from its checkpoint when that flag is left out. */
const INHERITED: Record<string, Inheritable> = {
  epochs: 'epochs', batchSize: 'batchSize', optimizer: 'optimizer', lr: 'lr', momentum: 'momentum', hidden: 'hidden', seed: 'seed', limit: 'trainLimit',
};

