import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * A stand-in instance runtime for driver tests: it says READY on fd 3, then
 * for each request line imports a bundle and calls its default export with
 * the given argument. Real bundles, real channel, no dependency on the
 * platform's protocol.
 */
const PROBE_INSTANCE_SOURCE = `
import net from 'node:net';
const channel = new net.Socket({ fd: 3, readable: true, writable: true });
const send = (message) => channel.write(JSON.stringify(message) + '\\n');
let buffered = '';
channel.on('data', (chunk) => {
  buffered += chunk.toString();
  let newline;
  while ((newline = buffered.indexOf('\\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const request = JSON.parse(line);
    Promise.resolve()
      .then(async () => (await import(request.bundle)).default(request.arg))
      .then((value) => send({ id: request.id, ok: true, value }))
      .catch((error) => send({ id: request.id, ok: false, code: error?.code ?? null, error: String(error?.message ?? error) }));
  }
});
send({ ready: true, pid: process.pid, uid: process.getuid(), gid: process.getgid() });
`;

export async function writeProbeInstance(dir: string): Promise<string> {
  const path = join(dir, 'probe-instance.mjs');
  await writeFile(path, PROBE_INSTANCE_SOURCE);
  return path;
}

export interface ReadyMessage {
  ready: true;
  pid: number;
  uid: number;
  gid: number;
}

export type ProbeAnswer = { ok: true; value: unknown } | { ok: false; code: string | null; error: string };

/** Speaks the probe protocol over a sandbox's channel. */
export class ProbeClient {
  readonly ready: Promise<ReadyMessage>;
  #buffered = '';
  #nextId = 1;
  readonly #pending = new Map<number, (answer: ProbeAnswer) => void>();
  #onReady: ((message: ReadyMessage) => void) | undefined;

  constructor(private readonly channel: Duplex) {
    this.ready = new Promise((resolve) => (this.#onReady = resolve));
    channel.on('data', (chunk: Buffer) => this.#onData(chunk.toString()));
    channel.on('error', () => undefined);
  }

  call(bundle: string, arg?: unknown): Promise<ProbeAnswer> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.channel.write(JSON.stringify({ id, bundle, arg }) + '\n');
    });
  }

  #onData(text: string): void {
    this.#buffered += text;
    let newline: number;
    while ((newline = this.#buffered.indexOf('\n')) >= 0) {
      const message = JSON.parse(this.#buffered.slice(0, newline)) as (ReadyMessage & { id?: undefined }) | ({ id: number } & ProbeAnswer);
      this.#buffered = this.#buffered.slice(newline + 1);
      if (message.id === undefined) this.#onReady?.(message as ReadyMessage);
      else {
        const { id, ...answer } = message;
        this.#pending.get(id)?.(answer as ProbeAnswer);
        this.#pending.delete(id);
      }
    }
  }
}
