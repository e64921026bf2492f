import { expect, test } from 'vitest';
import { cidrContains, cidrsOverlap, firstHostAddress, formatCidr, formatIp, parseCidr, parseIp } from './ipAddresses.js';

// Expected texts are what Go's net.IP.String() / net.IPNet.String() print for the same input.
test.each([
  ['10.66.1.7', '10.66.1.7'],
  ['fd00:0066:0000:0000:0000:0000:0000:0001', 'fd00:66::1'],
  ['FD00::1', 'fd00::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['::', '::'],
])('%s prints as %s', (text, printed) => {
  expect(formatIp(parseIp(text)!)).toBe(printed);
});

test.each(['10.66.0.0/33', '10.66.0.0/016', '10.66.0/16', 'fd00::/129', ' 10.0.0.0/8', '10.0.0.0/8 '])('%j is no CIDR block', (text) => {
  expect(parseCidr(text)).toBeUndefined();
});

test('blocks: network, containment, overlap and the first host', () => {
  const block = parseCidr('10.66.1.0/16')!;
  expect(formatCidr(block)).toBe('10.66.0.0/16');
  expect(formatIp(firstHostAddress(block))).toBe('10.66.0.1');
  expect(cidrContains(block, parseIp('10.66.255.255')!)).toBe(true);
  expect(cidrContains(block, parseIp('10.67.0.0')!)).toBe(false);
  expect(cidrContains(block, parseIp('fd00::1')!)).toBe(false);
  expect(cidrsOverlap(block, parseCidr('10.66.128.0/24')!)).toBe(true);
  expect(cidrsOverlap(block, parseCidr('10.67.0.0/16')!)).toBe(false);
  expect(formatIp(firstHostAddress(parseCidr('fd00:66::/112')!))).toBe('fd00:66::1');
});
