// The training form: URL query parameters prefill it (?epochs=1&limit=10000&batch=64
// &lr=0.001&hidden=128,64&optimizer=adam&backend=wasm), so a link reproduces a run,
// and it reads back as the training core's config.
import { TRAIN_DEFAULTS, type TrainConfig } from '../train/config.js';
import type { Backend } from './train-protocol.js';

const FIELDS = ['epochs', 'limit', 'batch', 'lr', 'hidden', 'optimizer', 'backend'] as const;

export function prefill(form: HTMLFormElement, query: URLSearchParams): void {
  for (const name of FIELDS) {
    const v = query.get(name);
    const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (v !== null && el) el.value = v;
  }
}

export interface FormRun { config: TrainConfig; backend: Backend | 'auto' }

/** The form as a training config; throws a readable error for a value the browser's own validation let through. */
export function readForm(form: HTMLFormElement, seed: number): FormRun {
  const get = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
  const int = (name: string, min: number) => {
    const n = Number(get(name));
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}`);
    return n;
  };
  const lr = Number(get('lr'));
  if (!(lr > 0)) throw new Error('the learning rate must be a positive number');
  const hidden = get('hidden').split(',').map((s) => Number(s.trim()));
  if (!hidden.length || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new Error('hidden sizes must be positive whole numbers, e.g. 128,64');
  return {
    config: {
      ...TRAIN_DEFAULTS, epochs: int('epochs', 1), trainLimit: int('limit', 1), batchSize: int('batch', 1), hidden, seed,
      optimizer: { name: get('optimizer'), lr },
    },
    backend: get('backend') as Backend | 'auto',
  };
}
