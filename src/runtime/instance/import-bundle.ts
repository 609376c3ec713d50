import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * An app bundle (and its `.map`) that scripts/bundle-instance.mjs writes next to
 * the runtime; a booting instance loads it so the real load runs compiled code.
 * Sandbox drivers show it beside the runtime.
 */
export const WARMUP_BUNDLE = 'instance-warmup.mjs';

const requireModule = createRequire(import.meta.url);
/** Node 20.19+ and 22.12+ load ES modules through require(); earlier ones need import(). */
const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;

/**
 * Loads an app bundle (an ES module) and returns its exports.
 *
 * require() first: it reads and links the bundle synchronously. import()
 * reads it through fs/promises (open, stat, read, close: four trips to the
 * libuv thread pool), and each trip is a thread wake-up: measured here, a
 * cold start's import took ~3 ms that way and ~1.5 ms through require().
 * A bundle with top-level await cannot be required; it is imported instead
 * (require() refuses it before running any of it).
 */
export async function importBundle(bundlePath: string): Promise<Record<string, unknown>> {
  if (canRequireEsm) {
    try {
      return requireModule(bundlePath) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    }
  }
  return (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
}
