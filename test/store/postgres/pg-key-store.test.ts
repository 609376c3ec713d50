import { test } from 'node:test';
import { PgKeyStore } from '../../../src/store/postgres/pg-key-store.js';
import { runKeyStoreContract } from '../key-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('KeyStore contract: postgres', { skip }, () => {});
else runKeyStoreContract('postgres', freshPostgresStore((db, clock) => new PgKeyStore(db, clock)));
