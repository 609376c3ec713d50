import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../support/stats.js';
import { CliProcess, NIMBUS_BIN, untilAnswer } from './cli-process.js';

/** Between saves: the previous deploy settles, as between a developer's saves. */
const PAUSE_BETWEEN_SAVES_MS = 400;

export const devApp = (marker: string): string => `import { http } from 'nimbus-functions';

export const greet = http('GET /greet/:name', (req, ctx) => new Response('${marker} ' + ctx.params.name));
`;

/**
 * `nimbus dev` save-to-live: a real dev process over a scratch folder; each
 * sample writes index.ts with a new answer and times until the route answers
 * with it (the file write to the first new answer, as a developer sees it).
 */
export async function measureSaveToLive(saves: number, typecheck: boolean): Promise<{ samples: number[]; firstDeployMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-dev-'));
  writeFileSync(join(dir, 'index.ts'), devApp('v0'));
  const started = performance.now();
  const dev = new CliProcess(process.execPath, [NIMBUS_BIN, 'dev', dir, '--port', '0', ...(typecheck ? [] : ['--no-typecheck'])], { cwd: dir, env: { NIMBUS_LOG_LEVEL: 'warn' } });
  try {
    const url = (await dev.waitFor(/is running at (http:\/\/\S+)/))[1]!;
    const firstDeployMs = await untilAnswer(`${url}/greet/x`, 'v0 x', started);
    await dev.waitFor(/Watching /);
    // The first check loads TypeScript (seconds, in the background): saves are timed once it is done, as after a developer's first minute.
    if (typecheck) await dev.waitFor(/type check: no errors/);
    const samples: number[] = [];
    for (let i = 1; i <= saves; i++) {
      await sleep(PAUSE_BETWEEN_SAVES_MS);
      const saved = performance.now();
      writeFileSync(join(dir, 'index.ts'), devApp(`v${i}`));
      samples.push(await untilAnswer(`${url}/greet/x`, `v${i} x`, saved));
    }
    return { samples, firstDeployMs };
  } finally {
    await dev.stop();
    if (process.env['BENCH_SHOW_OUTPUT']) console.error(dev.output);
    rmSync(dir, { recursive: true, force: true });
  }
}
