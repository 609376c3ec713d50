import { test } from 'node:test';
import { PgBudgetStore } from '../../../src/store/postgres/pg-budget-store.js';
import { runBudgetStoreContract } from '../budget-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('BudgetStore contract: postgres', { skip }, () => {});
else runBudgetStoreContract('postgres', freshPostgresStore((db, clock) => new PgBudgetStore(db, clock)));
