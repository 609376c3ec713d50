import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ShellRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ShellState {
  cwd: string;
  env: Record<string, string>;
}

/**
 * One bash session, fed one command at a time, as a reader types the docs'
 * commands into one terminal: `cd` and variables carry from one to the next
 * (`set -a` exports every variable, so programs started from the session see
 * them too). Each command reads /dev/null, never the session's own input.
 */
export class DocShell {
  readonly #bash: ChildProcess;
  readonly #mark = `__nimbus_doc_${randomUUID().replaceAll('-', '')}__`;
  readonly #stateFile: string;
  #stdout = '';
  #stderr = '';
  #exited = false;

  constructor(cwd: string, env: Record<string, string>, scratch: string) {
    this.#stateFile = join(scratch, `shell-state-${randomUUID()}`);
    this.#bash = spawn('bash', ['--noprofile', '--norc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#bash.stdout!.setEncoding('utf8').on('data', (c: string) => (this.#stdout += c));
    this.#bash.stderr!.setEncoding('utf8').on('data', (c: string) => (this.#stderr += c));
    this.#bash.on('close', () => (this.#exited = true));
    this.#bash.stdin!.write('set -a\n');
  }

  /** Runs one command to its end (bounded) in the session. */
  async run(command: string, timeoutMs: number): Promise<ShellRun> {
    const syntax = spawnSync('bash', ['-n', '-c', command], { encoding: 'utf8' });
    if (syntax.status !== 0) return { code: 2, stdout: '', stderr: `not valid shell: ${syntax.stderr.trim()}` };
    this.#stdout = '';
    this.#stderr = '';
    this.#bash.stdin!.write(`{ ${command}\n} < /dev/null\nprintf '\\n${this.#mark} %d\\n' $?\nprintf '\\n${this.#mark}\\n' >&2\n`);
    const done = new RegExp(`\\n${this.#mark} (\\d+)\\n$`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const finished = done.exec(this.#stdout);
      if (finished && this.#stderr.endsWith(`\n${this.#mark}\n`)) {
        return { code: Number(finished[1]), stdout: this.#stdout.slice(0, finished.index), stderr: this.#stderr.slice(0, -`\n${this.#mark}\n`.length) };
      }
      if (this.#exited) throw new Error(`the shell exited while running: ${command}\n${this.#stdout}\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${command}\n--- stdout\n${this.#stdout}\n--- stderr\n${this.#stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The session's folder and exported variables, for a program started beside it. */
  async state(): Promise<ShellState> {
    const run = await this.run(`{ pwd; env -0; } > '${this.#stateFile}'`, 10_000);
    if (run.code !== 0) throw new Error(`cannot read the shell's state: ${run.stderr}`);
    const text = await readFile(this.#stateFile, 'utf8');
    const newline = text.indexOf('\n');
    const env: Record<string, string> = {};
    for (const entry of text.slice(newline + 1).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { cwd: text.slice(0, newline), env };
  }

  close(): void {
    if (!this.#exited) this.#bash.kill('SIGKILL');
  }
}
