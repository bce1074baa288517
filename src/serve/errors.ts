// A request the server refuses, with the status and message the client gets as {"error": message}.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: ContentfulStatusCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);

/** 503 with Retry-After: the server cannot take this now (full, loading, shutting down); trying again later may work. */
export const unavailable = (message: string) => new HttpError(503, message, { 'retry-after': '1' });

/** The client closed its connection: nobody reads an answer, so none is logged or worked on. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
  constructor() { super('the client closed the connection'); }
}

export const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** JSON.parse with the parser's complaint turned into a 400. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`invalid JSON: ${(e as Error).message}`);
  }
}

/**
 * A client's value as JSON for an error message, at most `max` characters. It walks
 * at most a few levels and a few entries, so it cannot throw (JSON.stringify of a
 * deeply nested value overflows the stack) or echo megabytes back.
 */
export function preview(x: unknown, max = 60): string {
  const text = walk(x, 3);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function walk(x: unknown, depth: number): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}…` : x);
  if (typeof x !== 'object' || x === null) return typeof x === 'number' || typeof x === 'boolean' || x === null ? String(x) : typeof x;
  if (depth === 0) return Array.isArray(x) ? '[…]' : '{…}';
  if (Array.isArray(x)) {
    const items = x.slice(0, 8).map((v) => walk(v, depth - 1));
    return `[${items.join(',')}${x.length > 8 ? ',…' : ''}]`;
  }
  const items: string[] = [];
  for (const k in x) { // not Object.keys: an object may have a million of them
    if (items.length === 8) { items.push('…'); break; }
    items.push(`${JSON.stringify(k.slice(0, 40))}:${walk((x as Record<string, unknown>)[k], depth - 1)}`);
  }
  return `{${items.join(',')}}`;
}
