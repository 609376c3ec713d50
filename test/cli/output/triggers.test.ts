import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeReach, describeTrigger } from '../../../src/cli/output/triggers.js';

test('each kind of trigger in one cell: route, queue, bucket/path, cron and zone', () => {
  assert.equal(describeTrigger({ kind: 'http', route: 'GET /hello/:name' }), 'GET /hello/:name');
  assert.equal(describeTrigger({ kind: 'queue', route: null, trigger: { queue: 'orders' } }), 'queue orders');
  assert.equal(describeTrigger({ kind: 'blob', route: null, trigger: { bucket: 'images', path: 'uploads/*.png' } }), 'images/uploads/*.png');
  assert.equal(describeTrigger({ kind: 'blob', route: null, trigger: { bucket: 'images' } }), 'images/*', 'no path: every object');
  assert.equal(describeTrigger({ kind: 'timer', route: null, trigger: { cron: '0 3 * * *', timezone: 'Europe/Paris' } }), '0 3 * * * Europe/Paris');
});

test('where to reach it: an HTTP function\'s route URL (else its /fn/ URL), a timer\'s next run in its own zone', () => {
  const fn = 'http://127.0.0.1:8080/fn/app/hello';
  assert.equal(describeReach({ kind: 'http', route: 'GET /hello/:name', url: fn, routeUrl: 'http://127.0.0.1:8080/hello/:name' }), 'http://127.0.0.1:8080/hello/:name', 'the route as declared');
  assert.equal(describeReach({ kind: 'http', route: null, url: fn, routeUrl: null }), fn, 'no route: /fn/ is its only address');
  assert.equal(describeReach({ kind: 'http', route: 'GET /hello/:name', url: fn }), fn, 'a node that does not send routeUrl');
  const next = { utc: '2025-01-03T02:00:00.000Z', zoned: '2025-01-03T03:00:00+01:00', timezone: 'Europe/Paris' };
  assert.equal(describeReach({ kind: 'timer', route: null, next }), 'next 2025-01-03 03:00:00+01:00');
  assert.equal(describeReach({ kind: 'timer', route: null, next: null }), 'never again');
  assert.equal(describeReach({ kind: 'queue', route: null }), '-');
});
