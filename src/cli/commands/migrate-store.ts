import { resolve } from 'node:path';
import { stringOption, type CliCommand } from '../command.js';
import { CliError, UsageError } from '../cli-error.js';
import { localDataDir } from '../connection.js';
import { parseBlobsUrl, parseStoreUrl, StorageConfigError } from '../../server/storage-config.js';

export const migrateStoreCommand: CliCommand = {
  name: 'migrate-store',
  summary: "move a stopped single node's data into PostgreSQL (and its blobs and bundles into S3) to make it a cluster",
  usage: "nimbus migrate-store --to postgres://USER:PASSWORD@HOST/DB [--data DIR] [--blobs 's3://BUCKET?endpoint=…&region=…']",
  help: [
    '--to URL      the PostgreSQL database to fill; it must hold no Nimbus data yet',
    '--data DIR    the stopped node\'s data folder (default: NIMBUS_DATA, else ./.nimbus)',
    '--blobs URL   move blobs and bundles into this S3 bucket too (default: they stay in the data folder)',
    'Secrets stay sealed with the old master key: start every node with the old node\'s NIMBUS_MASTER_KEY',
    '(its <data>/master-key) and NIMBUS_ADMIN_KEY (its <data>/admin-key). See docs/cluster.md.',
  ],
  options: { to: { type: 'string' }, data: { type: 'string' }, blobs: { type: 'string' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const to = stringOption(args, 'to');
    if (to === undefined) throw new UsageError('--to postgres://… is required', 'migrate-store');
    const given = stringOption(args, 'data');
    const dataDir = given !== undefined ? resolve(ctx.cwd, given) : localDataDir(ctx);
    let targetUrl: string;
    let blobs;
    try {
      const store = parseStoreUrl(to);
      if (store.kind !== 'postgres') throw new StorageConfigError('--store', 'migrate-store moves data into PostgreSQL: give --to postgres://…');
      targetUrl = store.url;
      blobs = parseBlobsUrl(stringOption(args, 'blobs'));
    } catch (err) {
      if (err instanceof StorageConfigError) throw new CliError(err.message.replace(/^--store:/, '--to:'));
      throw err;
    }
    // Loaded here, not with the CLI: the PostgreSQL and S3 clients would slow every other command's start.
    const { migrateStore, MigrateStoreError } = await import('../../store/migrate-store/migrate-store.js');
    try {
      await migrateStore({ dataDir, targetUrl, blobs, progress: (line) => ctx.out(line) });
    } catch (err) {
      if (err instanceof MigrateStoreError) throw new CliError(err.message);
      throw err;
    }
    ctx.out(`done: ${dataDir} is in the database. Start every node with --store and${blobs.kind === 's3' ? ' --blobs,' : ''} the old node's`);
    ctx.out(`NIMBUS_MASTER_KEY (${resolve(dataDir, 'master-key')}, unless it was given in the environment) and its admin key.`);
    return 0;
  },
};
