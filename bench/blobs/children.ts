import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BARE_SCRIPT = fileURLToPath(new URL('./bare-blob-server-process.js', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./blob-client-process.js', import.meta.url));

export type BlobClientRequest =
  | { id: number; kind: 'put'; url: string; source: string; size: number; headers: Record<string, string> }
  | { id: number; kind: 'get'; url: string; size: number; headers: Record<string, string> };
export type BlobClientReply = { id: number; ms: number } | { id: number; error: string };

/** The bare node:http blob server (bare-blob-server-process.ts) in its own process. */
export interface BareBlobServer {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export async function startBareBlobServer(folder: string): Promise<BareBlobServer> {
  const child = fork(BARE_SCRIPT, [folder], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the bare blob server exited (code ${code}) before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, close: () => disconnect(child) };
}

/** The transfer client (blob-client-process.ts): one transfer at a time, each timed in the client. */
export class BlobClient {
  #nextId = 1;
  readonly #pending = new Map<number, (reply: BlobClientReply) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: BlobClientReply) => {
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
    child.on('exit', (code) => {
      for (const answer of this.#pending.values()) answer({ id: 0, error: `the blob client exited (code ${code})` });
      this.#pending.clear();
    });
  }

  static async start(): Promise<BlobClient> {
    const child = fork(CLIENT_SCRIPT, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new BlobClient(child);
  }

  /** Milliseconds from the first byte sent to the last byte of the answer. */
  put(url: string, source: string, size: number, headers: Record<string, string> = {}): Promise<number> {
    return this.#ask({ kind: 'put', url, source, size, headers });
  }

  get(url: string, size: number, headers: Record<string, string> = {}): Promise<number> {
    return this.#ask({ kind: 'get', url, size, headers });
  }

  close(): Promise<void> {
    return disconnect(this.child);
  }

  #ask(message: Omit<Extract<BlobClientRequest, { kind: 'put' }>, 'id'> | Omit<Extract<BlobClientRequest, { kind: 'get' }>, 'id'>): Promise<number> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => ('error' in reply ? reject(new Error(reply.error)) : resolve(reply.ms)));
      this.child.send({ ...message, id });
    });
  }
}

async function disconnect(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  await exited;
}
