// The training history a report draws: one row per epoch, from the model's
// `training` metadata (train loss, test accuracy) and, when it belongs to the same
// run, the JSON-lines log training wrote next to the model (adds test loss and time).

export interface EpochRow {
  epoch: number;
  trainLoss?: number;
  testLoss?: number;
  testAccuracy?: number;
  seconds?: number;
}

export interface History {
  epochs: EpochRow[];
  /** Why part of the input was left out, for the terminal and the report. */
  notes: string[];
}

const FIELDS = ['trainLoss', 'testLoss', 'testAccuracy', 'seconds'] as const;

/** One epoch object -> a row, or the reason it is not one. */
function row(x: unknown): EpochRow | string {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'is not an object';
  const o = x as Record<string, unknown>;
  if (!(Number.isInteger(o.epoch) && (o.epoch as number) > 0)) return `has epoch ${JSON.stringify(o.epoch)}, not a positive integer`;
  const r: EpochRow = { epoch: o.epoch as number };
  for (const f of FIELDS) {
    if (o[f] === undefined) continue;
    if (typeof o[f] !== 'number' || !Number.isFinite(o[f])) return `has ${f} ${JSON.stringify(o[f])}, not a finite number`;
    r[f] = o[f] as number;
  }
  return r;
}

/** The model's `training` metadata (a JSON list of epochs); throws, naming the problem, if malformed. */
export function parseTrainingMetadata(text: string | undefined): EpochRow[] {
  if (text === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new Error(`the model's "training" metadata is not JSON: ${text.slice(0, 80)}`);
  }
  if (!Array.isArray(list)) throw new Error('the model\'s "training" metadata is not a list of epochs');
  return list.map((x, i) => {
    const r = row(x);
    if (typeof r === 'string') throw new Error(`the model's "training" metadata: entry ${i} ${r}`);
    return r;
  });
}

/** A JSON-lines log; a bad line makes the whole log a note (it is an extra, the model is the record). */
export function parseTrainLog(text: string, file: string): { rows: EpochRow[] } | { note: string } {
  const byEpoch = new Map<number, EpochRow>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let x: unknown;
    try {
      x = JSON.parse(lines[i]);
    } catch {
      return { note: `${file} line ${i + 1} is not JSON (${lines[i].slice(0, 40)}…); the log is not used` };
    }
    const r = row(x);
    if (typeof r === 'string') return { note: `${file} line ${i + 1} ${r}; the log is not used` };
    byEpoch.set(r.epoch, r); // a resumed run may log an epoch again: the last one counts
  }
  return { rows: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch) };
}

/** Same run: every epoch both hold agrees (metadata losses are rounded to 5 decimals), and the log goes no further. */
const sameRun = (meta: EpochRow[], log: EpochRow[]) => {
  const last = Math.max(...meta.map((m) => m.epoch));
  const logged = new Map(log.map((r) => [r.epoch, r]));
  return log.every((r) => r.epoch <= last) && meta.every((m) => {
    const l = logged.get(m.epoch);
    return !l || (close(m.trainLoss, l.trainLoss, 1e-5) && close(m.testAccuracy, l.testAccuracy, 1e-9));
  });
};
const close = (a: number | undefined, b: number | undefined, tol: number) => a === undefined || b === undefined || Math.abs(a - b) <= tol;

/** The metadata's epochs, completed from the log when the log is of the same run. */
export function trainingHistory(metadata: string | undefined, log?: { text: string; file: string }): History {
  const meta = parseTrainingMetadata(metadata);
  if (!log) return { epochs: meta, notes: [] };
  const parsed = parseTrainLog(log.text, log.file);
  if ('note' in parsed) return { epochs: meta, notes: [parsed.note] };
  if (meta.length === 0) return { epochs: parsed.rows, notes: [] };
  if (!sameRun(meta, parsed.rows)) {
    return { epochs: meta, notes: [`${log.file} does not match the model's training metadata (a log of another run?); it is not used`] };
  }
  const logged = new Map(parsed.rows.map((r) => [r.epoch, r]));
  return { epochs: meta.map((m) => ({ ...m, ...logged.get(m.epoch) })), notes: [] }; // the log has unrounded values
}
