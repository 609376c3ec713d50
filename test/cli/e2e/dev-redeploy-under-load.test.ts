import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusProcess } from '../support/nimbus-process.js';
import { makeTempDir } from '../support/temp-app.js';

// Issue #12: requests arriving during a `nimbus dev` redeploy are served, by the old version or the
// new one, without a stall. A real dev process, a steady request loop, saves one after another.

const app = (marker: number): string => `import { http } from 'nimbus-functions';

export const greet = http('GET /greet/:name', (req, ctx) => new Response('v${marker} ' + ctx.params.name));
`;

const CLIENTS = 2;
const QUIET_MS = 2_000;
const SAVES = 5;
/** The bound for a request during a redeploy. */
const STALL_BOUND_MS = 100;
/**
 * A loaded test machine stalls requests now and then with no redeploy at all
 * (another test's burst, a GC); the bound grows to this many times the worst
 * request of the quiet phase before the saves. A redeploy that makes requests
 * wait for a new instance to start (hundreds of milliseconds) still fails.
 */
const NOISE_FACTOR = 3;
/**
 * Saves during which some request was over the bound that are still taken for
 * noise. A redeploy that makes requests wait stalls every client at every save
 * (all 5 saves, as measured with the pre-start off: 321–535 ms); a busy
 * machine's pause hits a moment or two of a run, whatever the saves do.
 */
const NOISY_SAVES_ALLOWED = SAVES - 2;

interface Sample {
  startedAt: number;
  ms: number;
  status: number;
  body: string;
}

/** CLIENTS loops, each sending its next request when the last is answered, until stopped. */
function requestLoop(url: string): { samples: Sample[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  let running = true;
  const client = async (): Promise<void> => {
    while (running) {
      const startedAt = performance.now();
      try {
        const response = await fetch(url);
        const body = await response.text();
        samples.push({ startedAt, ms: performance.now() - startedAt, status: response.status, body });
      } catch (err) {
        samples.push({ startedAt, ms: performance.now() - startedAt, status: 0, body: String(err) });
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}

test('during dev redeploys under a steady request loop every request is answered, none stalled by the redeploy', async (t) => {
  const dir = await makeTempDir({ 'index.ts': app(0) }, 'nimbus-e2e-dev-load-');
  t.after(() => dir.remove());
  const dev = new NimbusProcess(['dev', dir.path, '--port', '0', '--app', 'loaded'], { cwd: dir.path });
  t.after(() => dev.kill());
  const url = `${await dev.url()}/greet/x`;
  await dev.waitForStdout(/Watching /);
  // The first check loads TypeScript (seconds of CPU): it is not part of what is measured.
  await dev.waitForStdout(/type check: no errors/);

  // The first requests start the instances: a cold start is not a redeploy's stall.
  await Promise.all(Array.from({ length: CLIENTS }, async () => (await fetch(url)).text()));

  const loop = requestLoop(url);
  t.after(() => loop.stop());
  const until = async (what: string, check: () => boolean): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${dev.transcript()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const quietFrom = performance.now();
  await until('the quiet phase', () => loop.samples.length > 0 && performance.now() - quietFrom >= QUIET_MS);
  const quiet = loop.samples.length;
  const savedAt: number[] = [];
  for (let i = 1; i <= SAVES; i++) {
    savedAt.push(performance.now());
    await dir.write('index.ts', app(i));
    await until(`v${i} to serve`, () => loop.samples.at(-1)?.body === `v${i} x`);
    await dev.waitForStdout(new RegExp(`Deployed loaded v${i + 1} `));
  }
  await loop.stop();

  const samples = loop.samples;
  const failed = samples.filter((s) => s.status !== 200 || !/^v\d x$/.test(s.body));
  assert.deepEqual(failed, [], 'every request is answered by one version or the other');
  const quietWorst = Math.max(...samples.slice(0, quiet).map((s) => s.ms));
  const during = samples.slice(quiet);
  const bound = Math.max(STALL_BOUND_MS, NOISE_FACTOR * quietWorst);
  const saveOf = (s: Sample): number => savedAt.findLastIndex((at) => at <= s.startedAt);
  const sinceSave = (s: Sample): string => {
    const save = saveOf(s);
    return save < 0 ? 'before the first save' : `${Math.round(s.startedAt - savedAt[save]!)} ms after save ${save + 1}`;
  };
  const slowSamples = during.filter((s) => s.ms > bound);
  const slow = slowSamples.map((s) => `${Math.round(s.ms)} ms (${s.body}), sent ${sinceSave(s)}`);
  // A request sent before the first save stalled on no redeploy: noise, not a save.
  const stalledSaves = new Set(slowSamples.map(saveOf).filter((save) => save >= 0));
  const worst = Math.max(...during.map((s) => s.ms));
  t.diagnostic(`${during.length} requests during ${SAVES} redeploys, worst ${Math.round(worst)} ms; quiet worst ${Math.round(quietWorst)} ms; bound ${Math.round(bound)} ms`);
  assert.ok(stalledSaves.size <= NOISY_SAVES_ALLOWED, `requests slower than ${Math.round(bound)} ms after no more than ${NOISY_SAVES_ALLOWED} of ${SAVES} saves; slow: ${slow.join('; ')}`);
});
