import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFUSED_RANGES } from '../../../../src/runtime/sandbox/network/destination.js';
import { hostTableDefinition, slotChains } from '../../../../src/runtime/sandbox/network/host-table.js';
import { runCommand } from '../../../../src/runtime/sandbox/network/run-command.js';
import { SANDBOX_CIDR, slotAddresses } from '../../../../src/runtime/sandbox/network/slot-addresses.js';
import { slotRules } from '../../../../src/runtime/sandbox/network/slot-rules.js';

const slot = slotAddresses(5);
const DNS = ['10.255.255.53'];
const canCheckWithNft = process.getuid?.() === 0 && (await runCommand('nft', ['--version']).then(() => true, () => false));

describe('network slot rules', () => {
  it('gives each slot its own /30, names within the kernel limit, and addresses inside the sandbox range', () => {
    assert.deepEqual(slotAddresses(0), { index: 0, netns: 'nimbus-slot-0', hostIface: 'nmb0', hostAddress: '10.213.0.1', sandboxAddress: '10.213.0.2' });
    assert.equal(slotAddresses(64).hostAddress, '10.213.1.1');
    assert.ok(slotAddresses(16_383).hostIface.length <= 15);
    assert.throws(() => slotAddresses(16_384));
  });

  it("'none' leaves every chain empty: the table's fall-through refuses everything", () => {
    assert.deepEqual(slotRules('none', { entries: [] }, slot, DNS), { forward: [], input: [], dnat: [], loopbackPorts: [] });
  });

  it("'outbound' refuses other sandboxes first, allows the resolver, refuses private ranges, then accepts", () => {
    const rules = slotRules('outbound', { entries: [] }, slot, DNS);
    assert.match(rules.forward[0]!, new RegExp(`^ip daddr ${SANDBOX_CIDR} .*reject with tcp reset`));
    assert.ok(rules.forward.some((rule) => rule.startsWith('ip daddr 10.255.255.53 ') && rule.includes('dport 53 accept')));
    const dns = rules.forward.findIndex((rule) => rule.includes('dport 53'));
    const privateRefusal = rules.forward.findIndex((rule) => REFUSED_RANGES.every((range) => rule.includes(range)));
    assert.ok(dns < privateRefusal, 'the resolver is a private address: it must be allowed before private ranges are refused');
    assert.equal(rules.forward.at(-1), 'accept');
    assert.deepEqual(rules.input, []);
  });

  it('an allow list accepts exactly its entries, DNATs listed loopback ports, and ends refusing', () => {
    const rules = slotRules(
      { allow: [] },
      { entries: [{ kind: 'cidr', cidr: '192.168.0.0/16' }, { kind: 'address', address: '203.0.113.9', port: 443 }, { kind: 'loopback', port: 8080 }] },
      slot,
      DNS,
    );
    assert.ok(rules.forward.includes('ip daddr 192.168.0.0/16 accept'));
    assert.ok(rules.forward.includes('ip daddr 203.0.113.9 meta l4proto { tcp, udp } th dport 443 accept'));
    assert.ok(!rules.forward.includes('accept'));
    assert.match(rules.forward.at(-1)!, /^reject/);
    assert.deepEqual(rules.loopbackPorts, [8080]);
    assert.deepEqual(rules.dnat, [`ip daddr ${slot.hostAddress} tcp dport 8080 dnat ip to 127.0.0.1:8080`]);
    assert.ok(rules.input.includes('ip daddr 127.0.0.1 tcp dport 8080 ct status dnat accept'));
  });

  it('an allow list cannot open the sandbox range: it is refused before any entry', () => {
    const rules = slotRules({ allow: [] }, { entries: [{ kind: 'cidr', cidr: '10.0.0.0/8' }] }, slot, DNS);
    const sandboxRefusal = rules.forward.findIndex((rule) => rule.startsWith(`ip daddr ${SANDBOX_CIDR}`));
    assert.ok(sandboxRefusal < rules.forward.indexOf('ip daddr 10.0.0.0/8 accept'));
  });

  it('the host table and a loaded slot are valid nftables (checked by nft itself, nothing applied)', { skip: canCheckWithNft ? false : 'needs root and nft' }, async () => {
    const table = 'nimbus_syntaxcheck';
    const chains = slotChains(slot.index);
    const rules = slotRules('outbound', { entries: [] }, slot, DNS);
    const script = [
      hostTableDefinition(table, { dropOtherForwarding: true }),
      `add chain inet ${table} ${chains.forward}`,
      ...rules.forward.map((rule) => `add rule inet ${table} ${chains.forward} ${rule}`),
      `add element inet ${table} forward_slots { "${slot.hostIface}" : jump ${chains.forward} }`,
    ].join('\n');
    await runCommand('nft', ['--check', '-f', '-'], script + '\n');
  });
});
