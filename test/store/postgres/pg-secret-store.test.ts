import { test } from 'node:test';
import { PgSecretStore } from '../../../src/store/postgres/pg-secret-store.js';
import { runSecretStoreContract } from '../secret-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('SecretStore contract: postgres', { skip }, () => {});
else runSecretStoreContract('postgres', freshPostgresStore((db, clock) => new PgSecretStore(db, clock)));
