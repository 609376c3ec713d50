import type { PgMigration } from '../migrate.js';
import { migration as m001 } from './001-apps-keys-secrets-async-blobs.js';
import { migration as m002 } from './002-metering-logs.js';
import { migration as m003 } from './003-queues-timers.js';
import { migration as m004 } from './004-cluster.js';
import { migration as m005 } from './005-instance-slots.js';
import { migration as m006 } from './006-duration-histograms.js';
import { migration as m007 } from './007-node-blobs.js';
import { migration as m008 } from './008-budgets.js';
import { migration as m009 } from './009-budget-shares.js';
import { migration as m010 } from './010-timer-next-times.js';
import { migration as m011 } from './011-compact-manifests.js';

/** Every schema step, oldest first. Add a new file for a change; never edit a released one. */
export const POSTGRES_MIGRATIONS: readonly PgMigration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011];
