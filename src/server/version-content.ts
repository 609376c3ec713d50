import { contentHash } from '../blobs/bundles/bundle-store.js';
import { appSourceUrl } from '../runtime/clean-stack.js';
import { NimbusError } from '../shared/errors.js';
import { parseBoundedJson, DEFAULT_JSON_DEPTH, JsonLimitError } from '../shared/bounded-json.js';

/** Largest bundle plus source map one deploy may carry. */
export const MAX_BUNDLE_BYTES = 50 * 1024 * 1024;

/**
 * What a deploy stores for an uploaded bundle and source map: the map with
 * its paths made the app's own, and the code pointing at that map. Both are
 * stored by the sha256 of their content, so the same upload always gives the
 * same hashes: the node compares them with the live version to answer
 * "unchanged", and the CLI computes them to skip the type check and the upload
 * of code that is already live.
 */
export interface VersionContent {
  code: string;
  sourceMap: string | null;
}

export function versionContent(app: string, bundle: string, sourceMap?: string): VersionContent {
  const map = sourceMap ? rebaseSourceMap(app, sourceMap) : null;
  // Point the bundle at its stored map so stack traces in logs show the app's own files and lines.
  const code = map ? `${bundle.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '')}\n//# sourceMappingURL=${contentHash(map)}.mjs.map\n` : bundle;
  return { code, sourceMap: map };
}

/**
 * Source map paths are relative to the app folder on the deploying machine;
 * resolved against the stored map they would point into the data folder.
 * They become `nimbus-app:///<app>/<path>` so stack frames name the app's own files.
 */
function rebaseSourceMap(app: string, text: string): string {
  let parsed: unknown;
  try {
    parsed = parseBoundedJson(text, { maxBytes: MAX_BUNDLE_BYTES, maxDepth: DEFAULT_JSON_DEPTH });
  } catch (err) {
    if (!(err instanceof JsonLimitError)) throw err;
    if (err.reason === 'too-large') throw new NimbusError('NIMBUS_ERR_DEPLOY_BUNDLE_TOO_LARGE', `"sourceMap" is ${err.message}`);
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `"sourceMap" is ${err.message}`, { field: 'sourceMap' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', '"sourceMap" must be a JSON object (a source map)', { field: 'sourceMap' });
  }
  const map = parsed as { sources?: unknown; sourceRoot?: unknown };
  if (Array.isArray(map.sources)) map.sources = map.sources.map((s) => (typeof s === 'string' ? appSourceUrl(app, s) : s));
  map.sourceRoot = '';
  return JSON.stringify(map);
}
