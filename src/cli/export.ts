// `onnx-mnist export --triton`: writes the artifact as a Triton model repository,
// and with --kserve an InferenceService manifest that serves it on KServe.
import type { Command } from 'commander';
import { checked, fail, nonNegative, positiveInt } from './options.js';
import { checkStorageUri, kserveManifest } from '../export/kserve.js';
import { checkModelName, checkServiceName } from '../export/model-name.js';
import { exportTriton } from '../export/triton.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { loadModel } from '../serve/model.js';
import { SERVE_DEFAULTS } from '../serve/server.js';

export function registerExport(program: Command): void {
  program.command('export')
    .description('write the artifact as a Triton Inference Server model repository, and optionally a KServe InferenceService for it')
    .requiredOption('--triton <dir>', 'model repository folder to write into')
    .option('--model <path>', 'ONNX artifact', SERVE_DEFAULTS.modelPath)
    .option('--name <name>', 'model name (its folder in the repository, {name} in /v2/models/{name})', checked(checkModelName), SERVE_DEFAULTS.modelName)
    .option('--max-batch-size <n>', 'max_batch_size', positiveInt('--max-batch-size'), SERVE_DEFAULTS.maxBatchSize)
    .option('--max-queue-delay-us <us>', 'dynamic_batching max_queue_delay_microseconds', nonNegative('--max-queue-delay-us'), 100)
    .option('--instances <n>', 'instance_group count (KIND_CPU)', positiveInt('--instances'), 1)
    .option('--kserve <file>', 'also write a KServe InferenceService manifest (YAML) serving the repository')
    .option('--service-name <name>', 'the InferenceService name (default: the model name)', checked(checkServiceName))
    .option('--storage-uri <uri>', 'where the repository will be uploaded (default: a placeholder to edit)', checked(checkStorageUri))
    .action(async (o) => {
      if (!o.kserve && (o.serviceName || o.storageUri)) fail('--service-name and --storage-uri go with --kserve <file>');
      // Everything that can be refused is refused before the first file is written.
      let manifest: string | undefined;
      try {
        if (o.kserve) manifest = kserveManifest({ serviceName: o.serviceName ?? o.name, storageUri: o.storageUri });
      } catch (e) { fail(e); }
      const model = await loadModel(o.model).catch(fail);
      const files = await exportTriton(model, o.triton, {
        name: o.name, maxBatchSize: o.maxBatchSize, maxQueueDelayUs: Math.round(o.maxQueueDelayUs), instances: o.instances,
      }).catch(fail);
      if (manifest !== undefined) {
        await writeFileAtomic(o.kserve, manifest).catch(fail);
        files.push(o.kserve);
      }
      for (const f of files) console.log(`wrote ${f}`);
      console.log(`serve it with Triton: tritonserver --model-repository=${o.triton} (see docs/serve.md)`);
      if (manifest !== undefined) {
        console.log(o.storageUri
          ? `on KServe: upload ${o.triton} to ${o.storageUri}, then kubectl apply -f ${o.kserve}`
          : `on KServe: upload ${o.triton}, put its URI in ${o.kserve}'s storageUri (a placeholder now), then kubectl apply -f ${o.kserve}`);
      }
    });
}
