import type { ChildProcess } from 'node:child_process';
import type { Duplex, Readable } from 'node:stream';

/** How much of a sandbox's raw stderr is kept: enough for V8's out-of-memory report. */
export const STDERR_TAIL_BYTES = 8 * 1024;

export interface ChildStdio {
  /** fd 3: the framed host↔instance channel. */
  channel: Duplex;
  stdout: Readable;
  stderr: Readable;
  /** The last STDERR_TAIL_BYTES of raw stderr (function output is captured in-process, so this is Node's own). */
  stderrTail(): string;
}

/** The stdio every sandbox driver's child process has: channel on fd 3, stdout drained, stderr's tail kept. */
export function attachChildStdio(child: ChildProcess): ChildStdio {
  let tail = '';
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  stdout.resume();
  return { channel: child.stdio[3] as Duplex, stdout, stderr, stderrTail: () => tail };
}
