// A request the server refuses, with the status and message the client gets as {"error": message}.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: ContentfulStatusCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);

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
