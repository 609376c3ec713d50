import { test } from 'node:test';
import { PgAsyncResultStore } from '../../../src/store/postgres/pg-async-result-store.js';
import { runAsyncResultStoreContract } from '../async-result-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('AsyncResultStore contract: postgres', { skip }, () => {});
else runAsyncResultStoreContract('postgres', (options) => freshPostgresStore((db, clock) => new PgAsyncResultStore(db, clock, options))());
