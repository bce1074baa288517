// `onnx-mnist export --triton`: writes the artifact as a Triton model repository.
import type { Command } from 'commander';
import { checked, fail, nonNegative, positiveInt } from './options.js';
import { checkModelName } from '../export/model-name.js';
import { exportTriton } from '../export/triton.js';
import { loadModel } from '../serve/model.js';
import { SERVE_DEFAULTS } from '../serve/server.js';

export function registerExport(program: Command): void {
  program.command('export')
    .description('write the artifact as a Triton Inference Server model repository (also served by KServe)')
    .requiredOption('--triton <dir>', 'model repository folder to write into')
    .option('--model <path>', 'ONNX artifact', SERVE_DEFAULTS.modelPath)
    .option('--name <name>', 'model name (its folder in the repository, {name} in /v2/models/{name})', checked(checkModelName), SERVE_DEFAULTS.modelName)
    .option('--max-batch-size <n>', 'max_batch_size', positiveInt('--max-batch-size'), SERVE_DEFAULTS.maxBatchSize)
    .option('--max-queue-delay-us <us>', 'dynamic_batching max_queue_delay_microseconds', nonNegative('--max-queue-delay-us'), 100)
    .option('--instances <n>', 'instance_group count (KIND_CPU)', positiveInt('--instances'), 1)
    .action(async (o) => {
      const model = await loadModel(o.model).catch(fail);
      const files = await exportTriton(model, o.triton, {
        name: o.name, maxBatchSize: o.maxBatchSize, maxQueueDelayUs: Math.round(o.maxQueueDelayUs), instances: o.instances,
      }).catch(fail);
      for (const f of files) console.log(`wrote ${f}`);
      console.log(`serve it with Triton: tritonserver --model-repository=${o.triton} (see docs/serve.md)`);
    });
}
