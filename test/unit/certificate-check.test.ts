import { afterAll, describe, expect, test } from 'vitest';
import { checkCertificate, nameCovers } from '../../src/tls/certificate-check.js';
import { makeTestCa } from '../support/test-certificates.js';

const ca = makeTestCa('Unit CA');
const other = makeTestCa('Other CA');
afterAll(() => {
  ca.remove();
  other.remove();
});

describe('uploaded certificate checks', () => {
  test('a good chain: names, issuer, dates and the PEM blocks alone', () => {
    const leaf = ca.issue(['a.test', '*.b.test']);
    const checked = checkCertificate(`junk before\n${leaf.cert}\n${ca.cert}`, leaf.key, ['a.test', 'x.b.test']);
    expect(checked.names).toEqual(['a.test', '*.b.test']);
    expect(checked.issuer).toBe('Unit CA');
    expect(checked.chainPem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(checked.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  test.each([
    ['mismatched key', () => [ca.issue(['a.test']).cert, ca.issue(['a.test']).key, ['a.test']], /does not match/],
    ['expired', () => { const l = ca.issue(['a.test'], -1); return [l.cert, l.key, ['a.test']]; }, /expired/],
    ['not yet valid', () => { const l = ca.issue(['a.test']); return [l.cert, l.key, ['a.test'], new Date(Date.now() - 86_400_000 * 2)]; }, /not valid before/],
    ['names', () => { const l = ca.issue(['a.test']); return [l.cert, l.key, ['c.test']]; }, /does not cover c\.test/],
    ['chain order', () => { const l = ca.issue(['a.test']); return [`${l.cert}${other.cert}`, l.key, ['a.test']]; }, /not issued by/],
    ['CA first', () => { const l = ca.issue(['a.test']); return [`${ca.cert}${l.cert}`, l.key, ['a.test']]; }, /CA's/],
    ['not a key', () => { const l = ca.issue(['a.test']); return [l.cert, 'nope', ['a.test']]; }, /not an unencrypted private key/],
  ] as const)('refused: %s', (_what, make, reason) => {
    const [cert, key, domains, now] = make() as [string, string, string[], Date | undefined];
    expect(() => checkCertificate(cert, key, domains, now)).toThrow(reason);
  });

  test('a wildcard name covers one label, not the apex or two labels', () => {
    expect(nameCovers('*.b.test', 'x.b.test')).toBe(true);
    expect(nameCovers('*.b.test', 'b.test')).toBe(false);
    expect(nameCovers('*.b.test', 'y.x.b.test')).toBe(false);
    expect(nameCovers('*.b.test', '*.b.test')).toBe(true);
  });
});
