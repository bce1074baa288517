// The lines under the report's title: where the model and the data came from and
// how the model was trained, from whatever metadata the model carries.
import { META } from '../contract/artifact.js';

const show = (v: unknown): string =>
  Array.isArray(v) ? v.map(show).join(',')
  : typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => `${k} ${show(x)}`).join(', ')
  : String(v);

/** `hyperparameters` metadata as one line, or its raw text when it is not a JSON object. */
export function describeHyperparameters(text: string): string {
  try {
    const h: unknown = JSON.parse(text);
    if (typeof h === 'object' && h !== null && !Array.isArray(h)) return Object.entries(h).map(([k, v]) => `${k} ${show(v)}`).join(' · ');
  } catch { /* shown as it is */ }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function modelFacts(meta: Readonly<Record<string, string>>, where: { model: string; data: string; evaluated: string }): [string, string][] {
  const facts: [string, string][] = [['model', where.model]];
  if (meta[META.producer]) facts.push(['made by', meta[META.producer]]);
  if (meta[META.created]) facts.push(['trained', meta[META.created]]);
  if (meta[META.hyperparameters]) facts.push(['settings', describeHyperparameters(meta[META.hyperparameters])]);
  if (meta[META.testAccuracy]) facts.push(['accuracy at training', meta[META.testAccuracy]]);
  facts.push(['test data', where.data], ['evaluated', where.evaluated]);
  return facts;
}
