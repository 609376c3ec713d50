import { encodeManifests, readManifests } from '../stored-manifests.js';
import { copyTable } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface AppRow { name: string; live_version: number | null; created_at: number; updated_at: number }
interface VersionRow {
  app: string; version: number; bundle_hash: string; source_map_hash: string | null;
  bundle_size: number; functions: string | null; manifests: string | null; created_at: number;
}
interface CounterRow { app: string; last_version: number }

/** Apps, every version with its number, the live version and the per-app counter (numbers outlive removed apps). */
export const appsArea: StoreArea = {
  name: 'apps',
  async copy({ source }, target) {
    const apps = await copyTable<AppRow>(source, target, {
      select: 'SELECT name, live_version, created_at, updated_at FROM apps',
      table: 'apps',
      columns: ['name', 'live_version', 'created_at', 'updated_at'],
      values: (r) => [r.name, r.live_version, r.created_at, r.updated_at],
    });
    const versions = await copyTable<VersionRow>(source, target, {
      select: 'SELECT app, version, bundle_hash, source_map_hash, bundle_size, functions, manifests, created_at FROM app_versions',
      table: 'app_versions',
      columns: ['app', 'version', 'bundle_hash', 'source_map_hash', 'bundle_size', 'functions', 'manifests', 'created_at'],
      // A SQLite file holds one form per version; PostgreSQL holds both (nodes of the earlier release read the plain array).
      values: (r) => {
        const functions = readManifests(r);
        return [
          r.app, r.version, r.bundle_hash, r.source_map_hash, r.bundle_size,
          r.functions ?? JSON.stringify(functions), r.manifests ?? encodeManifests(functions), r.created_at,
        ];
      },
    });
    const counters = await copyTable<CounterRow>(source, target, {
      select: 'SELECT app, last_version FROM app_version_counters',
      table: 'app_version_counters',
      columns: ['app', 'last_version'],
      values: (r) => [r.app, r.last_version],
    });
    return `${plural(apps, 'app')}, ${plural(versions, 'version')}, ${plural(counters, 'version counter')}`;
  },
};
