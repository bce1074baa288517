// Option value parsers shared by every subcommand: each names its flag and the rule
// it broke, so a bad value gets one clear line instead of a NaN deep inside.
// fail() does the same for an expected failure once a command runs.
import { InvalidArgumentError, type Command } from 'commander';

export const number = (what: string, ok: (n: number) => boolean, rule: string) => (s: string) => {
  const n = Number(s);
  if (!ok(n)) throw new InvalidArgumentError(`${what} must be ${rule}, got "${s}"`);
  return n;
};
export const positiveInt = (what: string) => number(what, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
export const nonNegativeInt = (what: string) => number(what, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
export const positiveNumber = (what: string) => number(what, (n) => Number.isFinite(n) && n > 0, 'a positive number');
export const nonNegative = (what: string) => number(what, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0');
/** A parser from a check that throws (a name rule, say): its message becomes the option's error. */
export const checked = (check: (s: string) => string) => (s: string) => {
  try {
    return check(s);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
export const port = number('--port', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number 0..65535');

/** Prints an expected failure as one line and exits non-zero, instead of a stack trace. */
export function fail(e: unknown): never {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

/** Adds one subcommand to the program (src/cli/main.ts lists them all). */
export type Register = (program: Command) => void;
