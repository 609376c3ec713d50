import type { SqliteDatabase } from './sqlite-database.js';

/**
 * One step of one store area's SQLite schema. Step 1 of every area is the
 * schema as release 0.1 made it, written with IF NOT EXISTS, so a data
 * folder from that release (which kept no versions) records it as done
 * without change; later steps alter. A released step is never edited.
 */
export interface SqliteMigration {
  version: number;
  /** Statements run in one transaction. */
  sql: string;
  /** Work SQL alone cannot do (re-encoding rows), run after `sql` in the same transaction. */
  run?: (db: SqliteDatabase) => void;
}

const VERSIONS_TABLE = `
CREATE TABLE IF NOT EXISTS nimbus_schema_versions (
  area TEXT PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID`;

/**
 * Brings `area`'s tables up to its newest step, each step and its record in
 * one IMMEDIATE transaction. Areas are versioned apart so each store keeps
 * its schema in its own file. Refuses a file a newer release migrated.
 */
export function migrateSqlite(db: SqliteDatabase, area: string, steps: readonly SqliteMigration[]): void {
  db.exec(VERSIONS_TABLE);
  const current = db.prepare<[string], { version: number }>('SELECT version FROM nimbus_schema_versions WHERE area = ?').get(area)?.version ?? 0;
  const newest = Math.max(0, ...steps.map((s) => s.version));
  if (current > newest) {
    throw new Error(`the state file's ${area} schema is at version ${current}, newer than this release knows (${newest}): upgrade Nimbus`);
  }
  const record = db.prepare('INSERT INTO nimbus_schema_versions (area, version) VALUES (?, ?) ON CONFLICT (area) DO UPDATE SET version = excluded.version');
  for (const step of [...steps].sort((a, b) => a.version - b.version)) {
    if (step.version <= current) continue;
    db.transaction(() => {
      db.exec(step.sql);
      step.run?.(db);
      record.run(area, step.version);
    }).immediate();
  }
}
