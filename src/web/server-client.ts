// "Ask the server instead": the drawing as a PNG to POST /v1/predict, where the
// server decodes it and runs the same preprocessing and the same model file.
export const PREDICT_URL = '/v1/predict';

export interface ServerAnswer { label: number; probabilities: number[] | null; ms: number }

/** The label (and probabilities, if given) from /v1/predict's JSON: `{label, probabilities}`, alone or as `predictions[0]`. */
export function readServerAnswer(body: unknown): Omit<ServerAnswer, 'ms'> {
  const top = body as { predictions?: unknown[] } | null;
  const p = (Array.isArray(top?.predictions) ? top.predictions[0] : top) as { label?: unknown; probabilities?: unknown } | null;
  const label = typeof p?.label === 'string' ? Number(p.label) : p?.label;
  if (typeof label !== 'number' || !Number.isInteger(label)) throw new Error(`unexpected answer from ${PREDICT_URL}: ${JSON.stringify(body).slice(0, 120)}`);
  const probs = p?.probabilities;
  return { label, probabilities: Array.isArray(probs) && probs.every((x) => typeof x === 'number') ? probs : null };
}

export async function askServer(png: Blob, signal?: AbortSignal): Promise<ServerAnswer> {
  const t0 = performance.now();
  const res = await fetch(PREDICT_URL, { method: 'POST', headers: { 'content-type': 'image/png', accept: 'application/json' }, body: png, signal });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) {
    let why = text.slice(0, 200);
    try { why = (JSON.parse(text) as { error?: string }).error ?? why; } catch { /* not JSON */ }
    throw new Error(`the server answered HTTP ${res.status}: ${why}`);
  }
  return { ...readServerAnswer(JSON.parse(text) as unknown), ms };
}
