import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./bare-servers-process.js', import.meta.url));

/** The bare baseline servers, running in their own process (bare-servers-process.ts). */
export interface BareServers {
  handWrittenUrl: string;
  sameHandlerUrl: string;
  /** node:http relaying each request over a pipe to a child process that answers (relay-child-process.ts). */
  relayUrl: string;
  pid: number;
  close(): Promise<void>;
}

export async function startBareServers(): Promise<BareServers> {
  const child = fork(SCRIPT, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<{ handWrittenPort: number; sameHandlerPort: number; relayPort: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { handWrittenPort: number; sameHandlerPort: number; relayPort: number }));
    child.once('exit', (code) => reject(new Error(`the bare servers exited (code ${code}) before listening`)));
  });
  return {
    handWrittenUrl: `http://127.0.0.1:${ports.handWrittenPort}`,
    sameHandlerUrl: `http://127.0.0.1:${ports.sameHandlerPort}`,
    relayUrl: `http://127.0.0.1:${ports.relayPort}`,
    pid: child.pid ?? -1,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}
