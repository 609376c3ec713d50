import type { ApiClient } from './client.js';
import { ApiError } from './client.js';

export interface StreamEvent {
  event: string;
  id: string | null;
  data: string;
}

/**
 * Reads a `text/event-stream` body event by event. EventSource cannot send an
 * Authorization header, so streams are read over fetch.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: StreamEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event: StreamEvent = { event: 'message', id: null, data: '' };
  let hasData = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (hasData) onEvent({ ...event, data: event.data.slice(0, -1) });
        event = { event: 'message', id: event.id, data: '' };
        hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') {
        event.data += `${value}\n`;
        hasData = true;
      } else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
  }
}

export interface FollowOptions {
  signal: AbortSignal;
  onEvent: (event: StreamEvent) => void;
  /** Told of each failure; a refusal (4xx) ends the following, anything else is retried. */
  onError: (error: ApiError) => void;
  /** Told when the stream is open (again). */
  onOpen?: () => void;
  retryMs?: number;
}

/** Follows a stream until aborted, reconnecting after a dropped connection. */
export async function followEventStream(api: ApiClient, url: string, options: FollowOptions): Promise<void> {
  const retryMs = options.retryMs ?? 2_000;
  while (!options.signal.aborted) {
    try {
      const response = await api.fetch(url, { headers: { accept: 'text/event-stream' }, signal: options.signal });
      options.onOpen?.();
      if (response.body) await readEventStream(response.body, options.onEvent);
    } catch (err) {
      if (options.signal.aborted) return;
      const error = err instanceof ApiError ? err : new ApiError(0, 'STREAM_LOST', `the live stream was interrupted (${(err as Error).message})`);
      options.onError(error);
      if (error.status >= 400 && error.status < 500) return;
    }
    if (options.signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
