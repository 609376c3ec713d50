import type { PgMigration } from '../migrate.js';

/**
 * Apps and versions, API keys, secrets, async invocation results, the blob
 * index and the blob event log. Times are epoch ms (bigint) from the node's
 * clock; names that are listed in order are COLLATE "C" (code-point order,
 * as SQLite sorts); blob keys are bytea so their order is UTF-8 byte order.
 */
export const migration: PgMigration = {
  version: 1,
  name: 'apps-keys-secrets-async-blobs',
  sql: `
CREATE TABLE apps (
  name text COLLATE "C" PRIMARY KEY,
  live_version integer,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE app_versions (
  app text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  bundle_hash text NOT NULL,
  source_map_hash text,
  bundle_size bigint NOT NULL,
  functions text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (app, version)
);
-- Kept when an app is removed: a number once given to app@N is never given to other code.
CREATE TABLE app_version_counters (
  app text COLLATE "C" PRIMARY KEY,
  last_version integer NOT NULL
);

CREATE TABLE auth_api_keys (
  id text COLLATE "C" PRIMARY KEY,
  secret_hash bytea NOT NULL,
  scope text NOT NULL,
  app text COLLATE "C",
  label text,
  created_at bigint NOT NULL,
  last_used_at bigint
);
CREATE INDEX auth_api_keys_app ON auth_api_keys (app);

CREATE TABLE auth_secrets (
  app text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  sealed bytea NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (app, name)
);

CREATE TABLE async_invocations (
  id text PRIMARY KEY,
  app text NOT NULL,
  function_name text NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL,
  status integer,
  headers text,
  body_base64 text,
  error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  expires_at bigint NOT NULL
);
CREATE INDEX async_invocations_expiry ON async_invocations (expires_at);

CREATE TABLE blob_buckets (
  name text COLLATE "C" PRIMARY KEY,
  created_at bigint NOT NULL
);
CREATE TABLE blob_objects (
  bucket text COLLATE "C" NOT NULL,
  key bytea NOT NULL,
  data_id text NOT NULL UNIQUE,
  size bigint NOT NULL,
  etag text NOT NULL,
  content_type text NOT NULL,
  metadata text NOT NULL,
  last_modified bigint NOT NULL,
  sequencer text NOT NULL,
  PRIMARY KEY (bucket, key)
);
-- Kept when a bucket is deleted, so a re-created bucket never reuses a sequencer.
-- Its row is also the lock every write to the bucket takes first.
CREATE TABLE blob_sequences (
  bucket text COLLATE "C" PRIMARY KEY,
  last_seq bigint NOT NULL
);
-- One row: the last event position. Taken last in a write and held to its
-- commit, so positions commit in order and a reader never skips one.
CREATE TABLE blob_event_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_position bigint NOT NULL
);
INSERT INTO blob_event_head (last_position) VALUES (0);
CREATE TABLE blob_events (
  position bigint PRIMARY KEY,
  bucket text NOT NULL,
  key text NOT NULL,
  event_type text NOT NULL,
  size bigint NOT NULL,
  etag text NOT NULL,
  content_type text NOT NULL,
  sequencer text NOT NULL,
  at bigint NOT NULL
);
CREATE TABLE blob_event_cursors (
  name text PRIMARY KEY,
  position bigint NOT NULL
);
`,
};
