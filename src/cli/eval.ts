// `onnx-mnist eval`: a model's test accuracy, per-class scores and confusion matrix on
// the terminal, and OUT/eval.json and OUT/report.html (src/node/eval-report.ts).
import type { Command } from 'commander';
import { runEval, type EvalOptions } from '../node/eval-report.js';
import { evalTable } from '../report/table.js';
import { positiveInt } from './options.js';

/** Runs the evaluation and prints what `eval` prints; `train --report` calls it too. */
export async function evalAndPrint(o: EvalOptions, say: (line: string) => void = console.log): Promise<void> {
  const r = await runEval(o);
  say(evalTable(r.evaluation));
  for (const n of r.notes) say(`note: ${n}`);
  say(`wrote ${r.files.json} and ${r.files.html}`);
}

export function registerEval(program: Command): void {
  program.command('eval')
    .description('evaluate a model on the test set: per-class scores and confusion matrix, eval.json and report.html')
    .requiredOption('--model <path>', 'ONNX inference artifact (as `onnx-mnist train` writes)')
    .option('--data <dir>', 'folder with the test IDX files (raw or .gz); default: the bundled MNIST')
    .option('--out <dir>', 'where eval.json and report.html go (created if missing); default: the model\'s folder')
    .option('--log <file>', 'training\'s JSON-lines log for the curves; default: train-log.jsonl beside the model, when there')
    .option('--mistakes <n>', 'how many of the most confident mistakes the report shows', positiveInt('--mistakes'), 40)
    .action(async (o) => {
      await evalAndPrint({ modelPath: o.model, dataDir: o.data, outDir: o.out, logFile: o.log, mistakes: o.mistakes });
    });
}
