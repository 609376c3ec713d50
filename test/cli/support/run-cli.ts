import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `nimbus` executable of this checkout (dist/test/cli/support/ → bin/). */
export const NIMBUS_BIN = fileURLToPath(new URL('../../../../bin/nimbus.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/nimbus.js ...args` as a child process. The environment is
 * only PATH plus what the test gives, so a developer's NIMBUS_* variables
 * never leak into a test.
 */
export function runNimbus(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NIMBUS_BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines a stream carried, without the final empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
}

/** A duration as the CLI prints it (`formatMs`): whole ms below 10 s, then seconds with one decimal, as a loaded machine may take. */
export const TOOK = String.raw`\d+(?:\.\d+)? m?s`;
