import { LongRunningCommand } from '../../helpers/user-commands.js';
import { printedLine, type DocCommand } from './doc-blocks.js';
import type { DocShell, ShellRun } from './doc-shell.js';

/**
 * Runs a Markdown file's shell commands in order against real nodes, the way
 * a reader would, with these differences, each stated here:
 *
 * - `127.0.0.1:8080` (and `PORT=3000`) become free ports, and the session's
 *   NIMBUS_URL and NIMBUS_PORT point at the node's; its nodes run with basic
 *   isolation (the strict sandbox has its own suite).
 * - Commands that run until Ctrl+C (LONG_RUNNING) run beside the session: the
 *   next command waits until they are ready, and they get SIGINT at the end of
 *   the file — or when a later command starts a node on the same port, as a
 *   reader would stop the first.
 * - Curl fails on an HTTP error status (CURL_HOME's .curlrc), so a documented
 *   request that answers 404 fails the test instead of printing the error.
 * - INSTEAD lists the few lines that are not run as written, and why;
 *   EVENTUALLY the lines whose result comes from background work.
 */

export interface Substitution {
  line: RegExp;
  /** What runs in its place; undefined: nothing. */
  run?: string;
  reason: string;
}

/** What this package's checkout stands in for when the docs install it from the registry. */
const LINK_THE_CHECKOUT = [
  'mkdir -p node_modules/.bin node_modules/@types',
  'ln -s "$NIMBUS_DOC_PACKAGE" node_modules/nimbus-functions',
  'ln -s ../nimbus-functions/bin/nimbus.js node_modules/.bin/nimbus',
  // What npm hoists from the package's own dependencies: TypeScript and Node's types.
  'ln -s "$NIMBUS_DOC_PACKAGE/node_modules/typescript" node_modules/typescript',
  'ln -s ../typescript/bin/tsc node_modules/.bin/tsc',
  'ln -s "$NIMBUS_DOC_PACKAGE/node_modules/@types/node" node_modules/@types/node',
  `printf '{\\n  "devDependencies": { "nimbus-functions": "^%s" }\\n}\\n' "$NIMBUS_DOC_VERSION" > package.json`,
].join(' && ');

export const INSTEAD: readonly Substitution[] = [
  {
    line: /^npm install && npm start$/,
    run: 'npm start --ignore-scripts',
    reason: "the dependencies are installed, and dist/ is built: npm start's prestart build would rewrite dist/ under the tests running beside this one",
  },
  { line: /^npm test$/, reason: 'the whole test suite, of which this test is a part' },
  { line: /^(\w+=\S* )*npm run bench\b/, reason: 'benchmarks load the machine for minutes; docs/benchmarks.md records what they measured' },
  {
    line: /^npm pack$/,
    reason: "the full build: it would rewrite dist/ under the tests running beside this one (test/cli/e2e/packed-install.test.ts packs for real)",
  },
  {
    line: /^npm (i|install) -D (nimbus-functions|\S*\/nimbus-functions-[\d.]+\.tgz)$/,
    run: LINK_THE_CHECKOUT,
    reason: 'installs the packed package: this checkout is linked in its place (test/cli/e2e/packed-install.test.ts installs the packed package for real)',
  },
];

export const EVENTUALLY: readonly { line: RegExp; reason: string }[] = [
  { line: /\bblob get receipts\//, reason: 'the receipt is written by the queue function after the API answered' },
];

interface LongRunning {
  line: RegExp;
  /** What it prints once it serves; absent: ready at once. */
  ready?: RegExp;
  /** It runs a node on the session's port. */
  node: boolean;
}

const LONG_RUNNING: readonly LongRunning[] = [
  { line: /\bnpm (start|run dev)\b|\bnimbus(\.js)? (start|dev)\b/, ready: /Press Ctrl\+C to stop/, node: true },
  { line: /\bnimbus(\.js)? logs\b.*\s(-f|--follow)\b/, node: false },
  { line: /\bnode \S*server\.js\b/, ready: /listening on http/, node: false },
];

const COMMAND_LIMIT_MS = 90_000;
const EVENTUALLY_LIMIT_MS = 30_000;

export interface DocRunContext {
  shell: DocShell;
  ports: { node: number; app: number };
  /** Lines it did not run as written, for the test's diagnostics. */
  notes: string[];
  /** How long each command took (to ready, for long-running ones), in ms. */
  timings: { where: string; ms: number }[];
}

export async function runDocCommands(commands: readonly DocCommand[], ctx: DocRunContext): Promise<void> {
  const background: { where: string; process: LongRunningCommand }[] = [];
  let failure: unknown;
  try {
    for (const doc of commands) {
      const where = `${doc.file}:${doc.line}`;
      const instead = INSTEAD.find((s) => s.line.test(doc.command));
      if (instead) ctx.notes.push(`${where} ${doc.command} → ${instead.run === undefined ? 'not run' : 'replaced'}: ${instead.reason}`);
      if (instead && instead.run === undefined) continue;
      const command = rewritePorts(instead?.run ?? doc.command, ctx.ports);
      const started = Date.now();

      const long = LONG_RUNNING.find((l) => l.line.test(command));
      if (long) {
        if (long.node) await stopAll(background);
        const state = await ctx.shell.state();
        const process = new LongRunningCommand('bash', ['-c', command], state);
        background.push({ where: `${where} ${command}`, process });
        if (long.ready) await process.waitForStdout(long.ready).catch((err: Error) => fail(where, command, err.message));
        ctx.timings.push({ where, ms: Date.now() - started });
        continue;
      }

      const eventually = EVENTUALLY.some((e) => e.line.test(command));
      const run = eventually ? await retryUntilDone(ctx.shell, command) : await ctx.shell.run(command, COMMAND_LIMIT_MS);
      ctx.timings.push({ where, ms: Date.now() - started });
      if (run.code !== 0) fail(where, command, `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}${nodeLogs(background)}`);
      for (const expected of doc.expected) {
        if (!printedLine(run.stdout, expected)) fail(where, command, `printed no line like ${expected}\n--- stdout\n${run.stdout}`);
      }
    }
  } catch (err) {
    failure = err;
  }
  // Stopped whatever happened; a failure to stop cleanly is reported only when nothing failed before it.
  await stopAll(background).catch((err: unknown) => (failure ??= err));
  if (failure !== undefined) throw failure;
}

function rewritePorts(command: string, ports: DocRunContext['ports']): string {
  return command.replace(/(?<=[:= ])(8080|3000)\b/g, (port) => String(port === '8080' ? ports.node : ports.app));
}

async function retryUntilDone(shell: DocShell, command: string): Promise<ShellRun> {
  const deadline = Date.now() + EVENTUALLY_LIMIT_MS;
  for (;;) {
    const run = await shell.run(command, COMMAND_LIMIT_MS);
    if (run.code === 0 || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ctrl+C for each, newest first (a log follower before its node); each must have served until then and stop cleanly. */
async function stopAll(background: { where: string; process: LongRunningCommand }[]): Promise<void> {
  const problems: string[] = [];
  while (background.length > 0) {
    const { where, process } = background.pop()!;
    const wasRunning = process.running;
    const ended = await process.interrupt().catch(async (err: Error) => {
      await process.kill();
      return { code: null, signal: null, error: err.message };
    });
    // npm and npx end by the SIGINT they get (a shell shows 130); what they ran stops cleanly.
    const clean = wasRunning && (ended.code === 0 || ended.signal === 'SIGINT');
    if (!clean) problems.push(`${where}: ${wasRunning ? `ended ${JSON.stringify(ended)} on Ctrl+C` : `exited by itself (${process.child.exitCode})`}\n${process.transcript()}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

function nodeLogs(background: readonly { where: string; process: LongRunningCommand }[]): string {
  return background.map(({ where, process }) => `\n--- beside it: ${where}\n${process.transcript()}`).join('');
}

function fail(where: string, command: string, why: string): never {
  throw new Error(`${where}: ${command}\n${why}`);
}
