// Opening model files the user named: the bytes of any .onnx file (`inspect`), and an
// inference artifact with the contract it states (`eval`). Every failure is one error
// that names the file and what is wrong with it.
import { readFile } from 'node:fs/promises';
import { checkContract, type ModelContract } from '../contract/check.js';
import { readOnnxModel, type OnnxModelInfo } from '../contract/onnx-reader.js';

/** `missing` is appended when there is no such file (what to do instead). */
export async function readOnnxFile(path: string, missing = ''): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file${missing}`);
    if (code === 'EISDIR') throw new Error(`${path}: is a folder, not an .onnx file`);
    throw new Error(`${path}: cannot read it (${code ?? (e as Error).message})`);
  }
}

export interface ModelFile { path: string; bytes: Uint8Array; info: OnnxModelInfo; contract: ModelContract }

export async function openModelFile(path: string): Promise<ModelFile> {
  const bytes = await readOnnxFile(path, ' (train a model with `onnx-mnist train`, or pass --model PATH)');
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
