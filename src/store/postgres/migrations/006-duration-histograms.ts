import type { PgMigration } from '../migrate.js';

/**
 * Duration histograms on the per-minute roll-ups (src/metering/duration-histogram.ts):
 * one counter column per bucket, so several nodes' roll-ups still only add up.
 * Minutes written before this step count 0 in every bucket.
 */
export const migration: PgMigration = {
  version: 6,
  name: 'duration-histograms',
  sql: `ALTER TABLE metering_minutes ${Array.from({ length: 32 }, (_, i) => `ADD COLUMN duration_bucket_${String(i).padStart(2, '0')} bigint NOT NULL DEFAULT 0`).join(', ')};`,
};
