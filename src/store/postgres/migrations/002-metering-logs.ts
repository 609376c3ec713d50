import type { PgMigration } from '../migrate.js';

/**
 * Metering and function logs. Times are epoch ms (bigint) from the node's
 * clock, as in SQLite. Raw records are kept a batch per row in the same
 * encoding as SQLite (src/metering/record-batch-codec.ts).
 */
export const migration: PgMigration = {
  version: 2,
  name: 'metering-logs',
  sql: `
CREATE TABLE metering_record_batches (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_count integer NOT NULL,
  -- double precision: start times are whatever the clock gave, compared only.
  oldest_started_at double precision NOT NULL,
  newest_started_at double precision NOT NULL,
  functions text NOT NULL,
  records bytea NOT NULL
);
CREATE TABLE metering_minutes (
  app text COLLATE "C" NOT NULL,
  function_name text COLLATE "C" NOT NULL,
  minute bigint NOT NULL,
  invocations bigint NOT NULL,
  errors bigint NOT NULL,
  timeouts bigint NOT NULL,
  out_of_memory bigint NOT NULL,
  throttled bigint NOT NULL,
  crashed bigint NOT NULL,
  cold_starts bigint NOT NULL,
  billed_ms bigint NOT NULL,
  gb_seconds double precision NOT NULL,
  cpu_ms double precision NOT NULL,
  duration_sum_ms double precision NOT NULL,
  duration_max_ms double precision NOT NULL,
  PRIMARY KEY (app, function_name, minute)
);
CREATE INDEX metering_minutes_by_minute ON metering_minutes (minute);

CREATE SEQUENCE logs_lines_seq;
CREATE TABLE logs_lines (
  seq bigint PRIMARY KEY,
  app text COLLATE "C" NOT NULL,
  function_name text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  invocation_id text,
  instance_id text NOT NULL,
  stream text NOT NULL,
  level text NOT NULL,
  time double precision NOT NULL,
  message text NOT NULL,
  bytes integer NOT NULL
);
CREATE INDEX logs_lines_by_function ON logs_lines (app, function_name, seq);
CREATE INDEX logs_lines_by_app ON logs_lines (app, seq);
CREATE INDEX logs_lines_by_invocation ON logs_lines (invocation_id) WHERE invocation_id IS NOT NULL;
CREATE TABLE logs_function_totals (
  app text COLLATE "C" NOT NULL,
  function_name text COLLATE "C" NOT NULL,
  lines bigint NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (app, function_name)
);
`,
};
