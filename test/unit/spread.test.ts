import { describe, expect, test } from 'vitest';
import { chooseSpreadHosts, planSpread, splitReplicas, type SpreadCandidate, sameSpread } from '../../src/domain/spread.js';

const host = (id: string, more: Partial<SpreadCandidate> = {}): SpreadCandidate => ({ id, labels: {}, placed: 0, draining: false, alive: true, ...more });

describe('chooseSpreadHosts', () => {
  test('most free capacity first, ties by id; the answer sorted by id', () => {
    const hosts = [host('c', { capacity: 10, placed: 9 }), host('b', { capacity: 10, placed: 2 }), host('a'), host('d', { capacity: 10, placed: 2 })];
    expect(chooseSpreadHosts({ count: 2 }, hosts)).toEqual({ hosts: ['a', 'b'] });
    expect(chooseSpreadHosts({ count: 3 }, hosts)).toEqual({ hosts: ['a', 'b', 'd'] });
  });
  test('draining, down and full hosts are never chosen', () => {
    const hosts = [host('a', { draining: true }), host('b', { alive: false }), host('c', { capacity: 1, placed: 1 }), host('d')];
    expect(chooseSpreadHosts({ count: 1 }, hosts)).toEqual({ hosts: ['d'] });
    const refused = chooseSpreadHosts({ count: 2 }, hosts);
    expect(refused).toMatchObject({ refused: expect.stringMatching(/spread over 2 hosts, but 1 eligible \(d\)/) });
  });
  test('labels select; named hosts restrict and must exist', () => {
    const hosts = [host('a', { labels: { zone: 'x' } }), host('b', { labels: { zone: 'y' } }), host('c', { labels: { zone: 'x' } })];
    expect(chooseSpreadHosts({ count: 2, labels: { zone: 'x' } }, hosts)).toEqual({ hosts: ['a', 'c'] });
    expect(chooseSpreadHosts({ count: 2, hosts: ['b', 'c'] }, hosts)).toEqual({ hosts: ['b', 'c'] });
    expect(chooseSpreadHosts({ count: 1, hosts: ['zz'] }, hosts)).toEqual({ refused: 'host(s) zz not registered' });
    expect('refused' in chooseSpreadHosts({ count: 3, labels: { zone: 'x' } }, hosts)).toBe(true);
  });
});

describe('splitReplicas', () => {
  test('round-robin, at least one replica per host', () => {
    expect(splitReplicas(['a', 'b'], 3)).toEqual([
      { hostId: 'a', replicas: [0, 2] },
      { hostId: 'b', replicas: [1] },
    ]);
    expect(splitReplicas(['a', 'b', 'c'], 1)).toEqual([
      { hostId: 'a', replicas: [0] },
      { hostId: 'b', replicas: [1] },
      { hostId: 'c', replicas: [2] },
    ]);
  });
  test('planSpread combines both', () => {
    expect(planSpread({ count: 2 }, [host('a'), host('b')], 2)).toEqual({ hosts: [{ hostId: 'a', replicas: [0] }, { hostId: 'b', replicas: [1] }] });
    expect(planSpread({ count: 3 }, [host('a')], 2)).toHaveProperty('refused');
  });
});

describe('sameSpread', () => {
  test('hosts as a set and labels in any order are the same setting; a count, host or label changed is not', () => {
    const a = { count: 2, hosts: ['h1', 'h2'], labels: { zone: 'b', tier: 'web' } };
    expect(sameSpread(a, { count: 2, hosts: ['h2', 'h1'], labels: { tier: 'web', zone: 'b' } })).toBe(true);
    expect(sameSpread(null, null)).toBe(true);
    expect(sameSpread(a, null)).toBe(false);
    expect(sameSpread(a, { ...a, count: 1 })).toBe(false);
    expect(sameSpread(a, { ...a, hosts: ['h1', 'h3'] })).toBe(false);
    expect(sameSpread(a, { ...a, labels: { zone: 'a', tier: 'web' } })).toBe(false);
    expect(sameSpread({ count: 2 }, { count: 2, hosts: ['h1', 'h2'] })).toBe(false);
  });
});
