import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real downstream for budget tests: an HTTP server on 127.0.0.1 that
 * counts the requests it is serving at once. Above `breakingPoint` it slows
 * down and answers 503, as an overloaded database would. It remembers the
 * highest concurrency it saw and how many requests arrived above its
 * breaking point, so tests count what reached it, never time.
 */
export class SlowDownstream {
  readonly #server: Server;
  #url = '';
  inFlight = 0;
  maxInFlight = 0;
  served = 0;
  /** Requests that arrived while it was already at its breaking point (the overshoot). */
  overloaded = 0;
  /** `who` of each request, in arrival order. */
  readonly arrivals: string[] = [];
  /** Latency of a request below the breaking point (ms); ?ms= overrides per request. */
  latencyMs: number;
  /** Above this many at once it answers 503 after `overloadLatencyMs`. */
  breakingPoint: number;
  overloadLatencyMs: number;
  /** Callers being held (see `hold`): their requests' answers, waiting to be let go. */
  readonly #held = new Map<string, (() => void)[]>();

  constructor(options: { latencyMs?: number; breakingPoint?: number; overloadLatencyMs?: number } = {}) {
    this.latencyMs = options.latencyMs ?? 20;
    this.breakingPoint = options.breakingPoint ?? Number.POSITIVE_INFINITY;
    this.overloadLatencyMs = options.overloadLatencyMs ?? this.latencyMs * 5;
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.arrivals.push(url.searchParams.get('who') ?? '');
      this.inFlight++;
      this.served++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const overloaded = this.inFlight > this.breakingPoint;
      if (overloaded) this.overloaded++;
      const ms = overloaded ? this.overloadLatencyMs : Number(url.searchParams.get('ms') ?? this.latencyMs);
      const answer = () => setTimeout(() => {
        this.inFlight--;
        res.writeHead(overloaded ? 503 : 200, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ ok: !overloaded }));
      }, ms);
      const held = this.#held.get(url.searchParams.get('who') ?? '');
      if (held) held.push(answer);
      else answer();
    });
  }

  /**
   * From now on, requests from `who` are held (in flight) until the returned
   * function is called; then they, and any later ones, take their latency as usual.
   */
  hold(who: string): () => void {
    const held: (() => void)[] = [];
    this.#held.set(who, held);
    return () => {
      if (this.#held.get(who) === held) this.#held.delete(who);
      for (const answer of held.splice(0)) answer();
    };
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  reset(): void {
    this.maxInFlight = this.inFlight;
    this.served = 0;
    this.overloaded = 0;
    this.arrivals.length = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
