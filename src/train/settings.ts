// A run's settings as the artifact's `hyperparameters` and the checkpoint record them:
// written once here, compared when a run resumes (a difference is an error, never a
// silent restart), and read back for the settings a resumed run was not given.
import type { Model } from '../model/model.js';
import { OPTIMIZERS, type OptimizerSpec } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { TrainConfig } from './config.js';

/** JSON: the model's config (hidden sizes), batch, epochs, seed, optimizer, loss, images trained on. */
export type Hyperparameters = Record<string, unknown> & { optimizer: Record<string, unknown> };

export function hyperparameters(cfg: TrainConfig, model: Model, optimizer: Optimizer, trainImages: number): Hyperparameters {
  return {
    ...model.config, batchSize: cfg.batchSize, epochs: cfg.epochs, seed: cfg.seed,
    optimizer: { name: optimizer.name, ...optimizer.hyper }, loss: 'cross_entropy', trainImages,
  };
}

/** The flag each recorded setting comes from, for messages a user can act on. */
const FLAGS: Readonly<Record<string, string>> = {
  hidden: '--hidden', batchSize: '--batch-size', seed: '--seed', trainImages: '--limit',
  optimizer: '--optimizer', 'optimizer.name': '--optimizer', 'optimizer.lr': '--lr', 'optimizer.momentum': '--momentum',
};

/**
 * Where two runs' settings differ, as "--lr: 0.01 in the checkpoint, 0.001 now".
 * `epochs` is left out (a resumed run may go further than the run that saved it), and so
 * is `initFrom` (the model a run started from, which only its first start names).
 */
export function settingsDiff(saved: Record<string, unknown>, now: Record<string, unknown>): string[] {
  // Another optimizer is one difference, not one per setting of either.
  const opt = (o: Record<string, unknown>) => (o.optimizer ?? {}) as Record<string, unknown>;
  const whole = (o: Record<string, unknown>) => {
    const { name, ...hyper } = opt(o);
    return { ...o, optimizer: `${name}(${Object.entries(hyper).map(([k, v]) => `${k}=${v}`).join(', ')})` };
  };
  const [a, b] = opt(saved).name !== opt(now).name ? [flatten(whole(saved)), flatten(whole(now))] : [flatten(saved), flatten(now)];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'epochs' && !k.startsWith('initFrom'));
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${FLAGS[k] ?? k}: ${a[k] ?? 'unset'} in the checkpoint, ${b[k] ?? 'unset'} now`);
}

/** Dotted paths to JSON-encoded leaves: { optimizer: { lr: 1 } } -> { 'optimizer.lr': '1' }. */
function flatten(o: Record<string, unknown>, prefix = ''): Record<string, string> {
  return Object.fromEntries(Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(flatten(v as Record<string, unknown>, `${prefix}${k}.`)) : [[`${prefix}${k}`, JSON.stringify(v)]]));
}

/** Settings a resumed run may take from its checkpoint when its own command line leaves them out. */
export type Inheritable = 'epochs' | 'batchSize' | 'hidden' | 'seed' | 'trainLimit' | 'optimizer' | 'lr' | 'momentum';

/** `cfg` with the `unset` settings taken from recorded hyperparameters (the optimizer's by its class name). */
export function inheritSettings<C extends TrainConfig>(cfg: C, saved: Record<string, unknown>, unset: readonly Inheritable[]): C {
  const keep = new Set(unset);
  const take = <T>(key: Inheritable, value: T, recorded: unknown): T => (keep.has(key) && recorded !== undefined ? (recorded as T) : value);
  const rec = (saved.optimizer ?? {}) as Record<string, unknown>;
  const id = Object.keys(OPTIMIZERS).find((k) => OPTIMIZERS[k]({ name: k }).name === rec.name);
  let optimizer: OptimizerSpec = cfg.optimizer;
  // Settings of another optimizer than the one asked for would only be refused by it.
  if (id && (keep.has('optimizer') || id === cfg.optimizer.name)) {
    optimizer = { name: id, lr: take('lr', cfg.optimizer.lr, rec.lr), momentum: take('momentum', cfg.optimizer.momentum, rec.momentum) };
  }
  return {
    ...cfg, optimizer,
    epochs: take('epochs', cfg.epochs, saved.epochs), batchSize: take('batchSize', cfg.batchSize, saved.batchSize),
    hidden: take('hidden', cfg.hidden, saved.hidden), seed: take('seed', cfg.seed, saved.seed),
    trainLimit: take('trainLimit', cfg.trainLimit, saved.trainImages),
  };
}
