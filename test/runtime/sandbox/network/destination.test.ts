import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllowEntry } from '../../../../src/runtime/sandbox/network/destination.js';

describe('network allow-list entries', () => {
  it('reads CIDRs and bare addresses as address ranges on every port', () => {
    assert.deepEqual(parseAllowEntry('10.0.0.0/8'), { kind: 'cidr', cidr: '10.0.0.0/8' });
    assert.deepEqual(parseAllowEntry('203.0.113.9'), { kind: 'cidr', cidr: '203.0.113.9/32' });
  });

  it('reads host:port as one service', () => {
    assert.deepEqual(parseAllowEntry('203.0.113.9:5432'), { kind: 'address', address: '203.0.113.9', port: 5432 });
    assert.deepEqual(parseAllowEntry('db.internal:5432'), { kind: 'hostname', hostname: 'db.internal', port: 5432 });
  });

  it('reads 127.0.0.1:PORT and localhost:PORT as a service on the host’s loopback', () => {
    assert.deepEqual(parseAllowEntry('127.0.0.1:8080'), { kind: 'loopback', port: 8080 });
    assert.deepEqual(parseAllowEntry('localhost:8080'), { kind: 'loopback', port: 8080 });
  });

  it('refuses what it cannot enforce', () => {
    for (const bad of ['10.0.0.0/33', '300.1.1.1/8', 'host:0', 'host:70000', '127.0.0.2:80', '::1', 'http://x', '']) {
      assert.throws(() => parseAllowEntry(bad), Error, bad);
    }
  });
});
