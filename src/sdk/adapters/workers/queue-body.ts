/**
 * Cloudflare queues carry any structured-clonable value; Nimbus queues carry
 * JSON. Bytes (ArrayBuffer, typed arrays) cross in a marked envelope and come
 * out as they went in; everything else travels as JSON.
 */
const BYTES_MARK = '__workersBytes';

type BytesEnvelope = { [BYTES_MARK]: string; view: 'ArrayBuffer' | 'Uint8Array' };

export function encodeQueueBody(body: unknown): unknown {
  if (body instanceof ArrayBuffer) return { [BYTES_MARK]: Buffer.from(body).toString('base64'), view: 'ArrayBuffer' } satisfies BytesEnvelope;
  if (ArrayBuffer.isView(body)) {
    return { [BYTES_MARK]: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'), view: 'Uint8Array' } satisfies BytesEnvelope;
  }
  return body;
}

export function decodeQueueBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || typeof (body as Record<string, unknown>)[BYTES_MARK] !== 'string') return body;
  const envelope = body as BytesEnvelope;
  const bytes = new Uint8Array(Buffer.from(envelope[BYTES_MARK], 'base64'));
  return envelope.view === 'ArrayBuffer' ? bytes.buffer : bytes;
}
