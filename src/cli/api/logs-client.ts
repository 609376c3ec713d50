import { adminApiError } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import { enc, type AdminTransport } from './admin-transport.js';

/** A function log line as stored (docs/logs.md); `time` is epoch ms. */
export type { StoredLogLine } from '../../store/log-store.js';
import type { StoredLogLine } from '../../store/log-store.js';

export interface LogQuery {
  fn?: string;
  since?: string;
  invocation?: string;
  limit?: number;
}

/** `GET /apps/<app>/logs`, as a list or as a server-sent event stream (`follow=1`). */
export class LogsClient {
  constructor(readonly transport: AdminTransport) {}

  async query(app: string, query: LogQuery): Promise<StoredLogLine[]> {
    return (await this.transport.json<{ lines: StoredLogLine[] }>('GET', `/apps/${enc(app)}/logs`, { query: { ...query } })).lines;
  }

  /**
   * Calls `onLine` for every line the node streams, until the stream ends
   * (resolves) or `signal` aborts (resolves as well). An `error` event from
   * the node rejects with its message.
   */
  async follow(app: string, query: LogQuery, onLine: (line: StoredLogLine) => void, signal: AbortSignal): Promise<'ended' | 'aborted'> {
    let response: Response;
    try {
      response = await this.transport.send('GET', `/apps/${enc(app)}/logs`, { query: { ...query, follow: 1 }, headers: { accept: 'text/event-stream' }, signal });
    } catch (err) {
      if (signal.aborted) return 'aborted';
      throw err;
    }
    if (!response.ok) throw await adminApiError(response);
    if (!response.body) return 'ended';
    const events = new ServerSentEvents();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const event of events.push(decoder.decode(chunk, { stream: true }))) {
          if (event.type === 'error') throw new CliError(`the log stream failed: ${errorMessage(event.data)}`);
          if (event.type === 'message' && event.data !== '') onLine(JSON.parse(event.data) as StoredLogLine);
        }
      }
    } catch (err) {
      if (signal.aborted) return 'aborted';
      throw err;
    }
    return signal.aborted ? 'aborted' : 'ended';
  }
}

interface ServerSentEvent {
  type: string;
  data: string;
}

/** The text/event-stream format, fed in arbitrary chunks; comments (heartbeats) are dropped. */
export class ServerSentEvents {
  #buffer = '';
  #type = 'message';
  #data: string[] = [];

  push(text: string): ServerSentEvent[] {
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more.
      if (width === 1 && this.#buffer[newline] === '\r' && newline === this.#buffer.length - 1) break;
      this.#buffer = this.#buffer.slice(newline + width);
      if (line === '') {
        if (this.#data.length > 0) events.push({ type: this.#type, data: this.#data.join('\n') });
        this.#type = 'message';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#type = value;
    }
    return events;
  }
}

function errorMessage(data: string): string {
  try {
    const parsed = JSON.parse(data) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: show it as sent.
  }
  return data;
}
