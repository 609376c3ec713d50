import { test } from 'node:test';
import { PgAppStore } from '../../../src/store/postgres/pg-app-store.js';
import { runAppStoreContract } from '../app-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('AppStore contract: postgres', { skip }, () => {});
else runAppStoreContract('postgres', freshPostgresStore((db, clock) => new PgAppStore(db, clock)));
