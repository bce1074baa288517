// Opens an inference artifact for `eval`: its bytes, its declared graph I/O and the
// contract it states, or one error that names the file and what is wrong with it.
import { readFile } from 'node:fs/promises';
import { checkContract, type ModelContract } from '../contract/check.js';
import { readOnnxModel, type OnnxModelInfo } from '../contract/onnx-reader.js';

export interface ModelFile { path: string; bytes: Uint8Array; info: OnnxModelInfo; contract: ModelContract }

export async function openModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file (train a model with \`onnx-mnist train\`, or pass --model PATH)`);
    if (code === 'EISDIR') throw new Error(`${path} is a folder; --model takes an .onnx file`);
    throw e;
  }
  let info: OnnxModelInfo;
  try {
    info = readOnnxModel(bytes);
  } catch (e) {
    throw new Error(`${path} is not a readable ONNX model: ${(e as Error).message}`);
  }
  try {
    return { path, bytes, info, contract: checkContract(info.metadata, info) };
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
