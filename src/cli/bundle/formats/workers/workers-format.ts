import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../../../cli-error.js';
import type { FormatAdapter, FormatReading } from '../app-format.js';
import { workerEntrySource } from './entry-source.js';
import { planWorker } from './worker-plan.js';
import { findWranglerFile, readWranglerFile } from './wrangler-file.js';

/** Cloudflare Workers in modules syntax, described by wrangler.toml, wrangler.json or wrangler.jsonc. */
export const workersFormat: FormatAdapter = {
  format: 'workers',
  title: 'Cloudflare Workers (wrangler.toml)',
  async detect(appDir) {
    return findWranglerFile(appDir) !== undefined;
  },
  async read(appDir): Promise<FormatReading> {
    const file = findWranglerFile(appDir);
    if (file === undefined) throw new CliError(`${appDir} has no wrangler.toml, wrangler.json or wrangler.jsonc`);
    const plan = planWorker(await readWranglerFile(appDir, file), file);
    const mainPath = join(appDir, plan.main);
    if (!existsSync(mainPath) || !statSync(mainPath).isFile()) throw new CliError(`${file}: main "${plan.main}" not found in ${appDir}`);
    if (isServiceWorkerScript(await readFile(mainPath, 'utf8'))) {
      plan.unsupported.push({
        what: `main (${plan.main})`,
        reason: "service-worker syntax (addEventListener('fetch')) is not supported: Nimbus runs modules-syntax Workers (export default { fetch })",
      });
    }
    return {
      format: 'workers',
      source: file,
      entrySource: workerEntrySource(plan),
      mapped: plan.mapped,
      unsupported: plan.unsupported,
      ...(plan.appName !== undefined ? { appName: plan.appName } : {}),
    };
  },
};

/** A script that listens for fetch events and exports nothing by default. */
function isServiceWorkerScript(source: string): boolean {
  return /addEventListener\(\s*['"](fetch|scheduled|queue)['"]/.test(source) && !/export\s+default\b/.test(source);
}
