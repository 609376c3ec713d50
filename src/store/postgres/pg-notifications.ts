import pg from 'pg';

/** Longest wait between two attempts to get the listening connection back. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export type NotificationHandler = (payload: string) => void;

/**
 * LISTEN/NOTIFY for one node: one dedicated connection carries every channel
 * the node listens on. When it is lost (the server restarted, the network
 * broke) it comes back by itself and re-listens; notifications sent while it
 * was away are gone, so `onReconnect` handlers resync from the tables.
 */
export class PgNotifications {
  readonly #url: string;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  readonly #reconnectHandlers = new Set<() => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  /** The last LISTEN sent on the connection: pg deprecates handing a connection a query while it runs another, so they go in turn. */
  #lastListen: Promise<unknown> = Promise.resolve();

  constructor(url: string) {
    this.#url = url;
  }

  /** Connects; resolves once listening (rejects when the database cannot be reached now, then keeps trying). */
  start(): Promise<void> {
    return this.#connect();
  }

  /** Listens on `channel` (a plain identifier); returns the unsubscribe function. */
  async listen(channel: string, handler: NotificationHandler): Promise<() => void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      const client = this.#client;
      // A LISTEN that fails leaves the channel deaf on this connection: start over, the reconnect listens on every channel and resyncs.
      if (client) await this.#inTurn(() => client.query(`LISTEN ${channel}`)).catch(() => this.#lost(client));
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  /** Called after the connection came back: notifications may have been missed. */
  onReconnect(handler: () => void): () => void {
    this.#reconnectHandlers.add(handler);
    return () => this.#reconnectHandlers.delete(handler);
  }

  /** True while the listening connection is up. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url, application_name: 'nimbus-listen', connectionTimeoutMillis: 5_000, keepAlive: true });
      client.on('error', () => this.#lost(client));
      client.on('end', () => this.#lost(client));
      client.on('notification', (message) => {
        for (const handler of this.#handlers.get(message.channel) ?? []) {
          try {
            handler(message.payload ?? '');
          } catch {
            // One handler's bug must not stop the others or the connection.
          }
        }
      });
      try {
        await client.connect();
        for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${channel}`);
      } catch (err) {
        await client.end().catch(() => {});
        this.#scheduleReconnect();
        throw err;
      }
      if (this.#closed) {
        await client.end().catch(() => {});
        return;
      }
      const reconnected = this.#failures > 0;
      this.#failures = 0;
      this.#client = client;
      if (reconnected) for (const handler of this.#reconnectHandlers) handler();
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  #inTurn(listen: () => Promise<unknown>): Promise<unknown> {
    const sent = this.#lastListen.then(listen);
    this.#lastListen = sent.catch(() => {});
    return sent;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    void client.end().catch(() => {});
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer) return;
    this.#failures++;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** Math.min(this.#failures, 5));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect().catch(() => {});
    }, delay);
    this.#retryTimer.unref();
  }
}
