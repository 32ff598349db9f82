// The charts' points from consecutive samples: rates over the interval, the interval's p95,
// CPU cores, and counters that went down (a restart) starting over rather than going negative.
import { expect, test } from 'vitest';
import { environmentSeries, type SampleRow } from '../../src/metrics/environment-series.js';

const row = (s: number, requests: number, errors: number, buckets: Record<string, number>, cpuSeconds: number): SampleRow => ({
  at: new Date(s * 1000),
  requests,
  errors,
  buckets,
  cpuSeconds,
  memoryBytes: 1000 + s,
  containers: 1,
});

test('rates, p95 and CPU between two samples; a reset starts over', () => {
  const rows = [
    row(0, 100, 0, { '0.1': 100, '0.3': 100, '+Inf': 100 }, 10),
    row(10, 200, 5, { '0.1': 190, '0.3': 200, '+Inf': 200 }, 15),
    row(20, 20, 0, { '0.1': 20, '0.3': 20, '+Inf': 20 }, 1),
  ];
  const [a, b] = environmentSeries(rows);
  expect(a).toEqual({ at: 10_000, requestsPerSecond: 10, errorsPerSecond: 0.5, p95Ms: 300, cpuCores: 0.5, memoryBytes: 1010 });
  expect(b).toEqual({ at: 20_000, requestsPerSecond: 2, errorsPerSecond: 0, p95Ms: 100, cpuCores: 0, memoryBytes: 1020 });
  expect(environmentSeries([rows[0] as SampleRow])).toEqual([]);
});
