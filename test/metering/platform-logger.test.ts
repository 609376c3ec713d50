import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlatformLogger } from '../../src/metering/platform-logger.js';

test('the platform logger writes one JSON object per line, at or above its level', () => {
  const written: string[] = [];
  const logger = createPlatformLogger('info', { write: (line: string) => void written.push(line) });
  logger.debug('hidden');
  logger.info({ app: 'shop' }, 'deployed');
  logger.error({ err: new Error('disk full') }, 'write failed');
  assert.equal(written.length, 2);
  const [deployed, failed] = written.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(deployed!.msg, 'deployed');
  assert.equal(deployed!.app, 'shop');
  assert.equal(deployed!.service, 'nimbus');
  assert.equal(deployed!.level, 30);
  assert.match(String(deployed!.time), /^\d{4}-\d{2}-\d{2}T/);
  assert.equal((failed!.err as { message: string }).message, 'disk full');
});

test('an unknown level is refused, naming the accepted ones', () => {
  assert.throws(() => createPlatformLogger('loud'), /log level must be one of fatal, error, warn, info, debug, trace, silent/);
});
