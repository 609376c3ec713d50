import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince } from '../../src/metering/since.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

test('--since takes a span back from now', () => {
  assert.equal(parseSince('30m', NOW), NOW - 30 * 60_000);
  assert.equal(parseSince('24h', NOW), NOW - 24 * 3_600_000);
  assert.equal(parseSince('7d', NOW), NOW - 7 * 86_400_000);
  assert.equal(parseSince('90s', NOW), NOW - 90_000);
  assert.equal(parseSince('2w', NOW), NOW - 14 * 86_400_000);
});

test('--since takes an ISO date (midnight UTC) or date-time', () => {
  assert.equal(parseSince('2026-01-01', NOW), Date.UTC(2026, 0, 1));
  assert.equal(parseSince('2026-01-01T06:30:00Z', NOW), Date.UTC(2026, 0, 1, 6, 30));
  assert.equal(parseSince('2026-01-01T06:30:00+02:00', NOW), Date.UTC(2026, 0, 1, 4, 30));
});

test('anything else is refused with the accepted forms in the message', () => {
  for (const bad of ['', '24', 'h', '-1h', '1.5h', '24 hours', 'yesterday', '2026-13-01', '1e3m']) {
    assert.throws(() => parseSince(bad, NOW), /use a span like 30m, 24h or 7d, or an ISO date/, bad);
  }
});

test('a span reaching back before any date is refused (every later step would fail on it)', () => {
  assert.throws(() => parseSince('999999999w', NOW), /reaches back before any date/);
  assert.ok(Number.isFinite(new Date(parseSince('999999d', NOW)).getTime()));
});
