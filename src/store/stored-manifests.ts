import type { TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';
import type { FunctionManifest } from './store.js';
import { freezeDeep } from '../shared/freeze-deep.js';

/**
 * A version's function manifests in the compact form the stores keep in
 * `app_versions.manifests` (the plain JSON array is `functions`): each
 * distinct settings object once, and each function as
 * `[name, kind, settings index, trigger]`.
 *
 * Functions deployed together mostly have equal settings, and a node reads
 * every live version when it starts: with 20,000 functions the plain array is
 * ~7 MB of JSON (~30 ms to parse, then ~15 ms to find the equal settings
 * again), this form ~2.4 MB, read with the settings already shared.
 *
 * PostgreSQL keeps writing the plain array beside it: nodes of an earlier
 * release that keep running while a cluster is upgraded node by node read it
 * (they refuse to start on the newer schema, but do not stop). A SQLite file
 * is one node's, so there each version holds one form. Versions stored before
 * this form read from the plain array. A later form goes in a column of its
 * own, so every running node can always read what the others write.
 */
interface StoredManifestsV1 {
  v: 1;
  settings: ResolvedSettings[];
  functions: [name: string, kind: TriggerKind, settings: number, trigger: Record<string, unknown>][];
}

export function encodeManifests(functions: readonly FunctionManifest[]): string {
  const settings: ResolvedSettings[] = [];
  const indexByText = new Map<string, number>();
  const entries = functions.map((fn): StoredManifestsV1['functions'][number] => {
    const text = JSON.stringify(fn.settings);
    let index = indexByText.get(text);
    if (index === undefined) {
      index = settings.push(fn.settings) - 1;
      indexByText.set(text, index);
    }
    return [fn.name, fn.kind, index, fn.trigger];
  });
  const stored: StoredManifestsV1 = { v: 1, settings, functions: entries };
  return JSON.stringify(stored);
}

/** The manifests, those with equal settings sharing one settings object (nothing changes a manifest's settings once read). */
export function decodeManifests(text: string): FunctionManifest[] {
  const stored = JSON.parse(text) as Partial<StoredManifestsV1> | null;
  if (stored === null || typeof stored !== 'object' || stored.v !== 1 || !Array.isArray(stored.settings) || !Array.isArray(stored.functions)) {
    throw new Error(`stored function manifests are in a form this node does not know (${describeForm(stored)})`);
  }
  const { settings, functions } = stored;
  // Shared by every function that has them, so read-only for all: frozen, as stored timer settings are.
  for (const one of settings) freezeDeep(one);
  const manifests = new Array<FunctionManifest>(functions.length);
  for (let i = 0; i < functions.length; i++) {
    const entry: unknown = functions[i];
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[2])) {
      throw new Error(`stored function manifests: entry ${i} is not [name, kind, settings index, trigger]`);
    }
    const [name, kind, index, trigger] = entry as StoredManifestsV1['functions'][number];
    const shared = settings[index];
    if (shared === undefined) throw new Error(`stored function manifests: function ${name} names settings ${index}, which are not stored`);
    manifests[i] = { name, kind, settings: shared, trigger };
  }
  return manifests;
}

function describeForm(stored: unknown): string {
  if (stored === null) return 'null';
  if (typeof stored !== 'object') return typeof stored;
  const v = (stored as { v?: unknown }).v;
  return v === undefined ? 'no form number' : `form ${JSON.stringify(v)}`;
}

/**
 * The columns both stores read a version by, from `app_versions` aliased `v`: one text per version travels,
 * the compact form or, for a version stored before it, the plain array.
 */
export const VERSION_READ_COLUMNS = 'v.app, v.version, v.bundle_hash, v.source_map_hash, v.bundle_size, v.manifests, '
  + 'CASE WHEN v.manifests IS NULL THEN v.functions END AS functions, v.created_at';

/** A version's manifests from the columns VERSION_READ_COLUMNS reads. */
export function readManifests(row: { manifests: string | null; functions: string | null }): FunctionManifest[] {
  if (row.manifests !== null) return decodeManifests(row.manifests);
  if (row.functions === null) throw new Error('a stored version has no function manifests');
  return JSON.parse(row.functions) as FunctionManifest[];
}
