// onnxruntime-node behind the core's tensor/session interface, for one session configuration.
import * as ort from 'onnxruntime-node';
import type { Runtime } from '../train/runtime.js';
import { createSession, type SessionConfig } from './execution-provider.js';

export const ortNode = (cfg: SessionConfig): Pick<Runtime, 'tensor' | 'session'> => ({
  tensor: (type, data, dims) => new ort.Tensor(type, data, dims),
  session: (model) => createSession(model, cfg),
});
