import { expect, test } from 'vitest';
import { keptReleases } from '../../src/domain/kept-releases.js';

test('the standby release is kept besides the retention window, once', () => {
  expect(keptReleases(['r3', 'r2'], null)).toEqual(['r3', 'r2']);
  expect(keptReleases(['r3', 'r2'], 'r1')).toEqual(['r3', 'r2', 'r1']);
  expect(keptReleases(['r3', 'r2'], 'r2')).toEqual(['r3', 'r2']);
});
