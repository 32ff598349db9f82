import { describe, expect, test } from 'vitest';
import { formatImageRef, parseImageRef, repositoryName, sameRepository } from '../../src/domain/image-ref.js';

describe('parseImageRef', () => {
  test.each([
    ['nginx', { domain: null, path: 'nginx', tag: null, digest: null }],
    ['nginx:1.27', { domain: null, path: 'nginx', tag: '1.27', digest: null }],
    ['team/app:v2', { domain: null, path: 'team/app', tag: 'v2', digest: null }],
    ['127.0.0.1:5000/team/app:v2', { domain: '127.0.0.1:5000', path: 'team/app', tag: 'v2', digest: null }],
    ['localhost/app', { domain: 'localhost', path: 'app', tag: null, digest: null }],
    ['ghcr.io/o/r@sha256:' + 'a'.repeat(64), { domain: 'ghcr.io', path: 'o/r', tag: null, digest: 'sha256:' + 'a'.repeat(64) }],
    ['registry:5000/a_b/c-d.e:tag_1.0', { domain: 'registry:5000', path: 'a_b/c-d.e', tag: 'tag_1.0', digest: null }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text)).toEqual(expected);
  });

  test.each(['', 'UPPER/case', 'app:', 'app@sha256:short', 'a//b', '-lead', 'app:bad tag', 'x'.repeat(300), 'app:tag;rm -rf /', '../etc'])(
    'rejects %j',
    (text) => {
      expect(parseImageRef(text)).toBeNull();
    },
  );

  test('round trip and repository names', () => {
    const ref = parseImageRef('127.0.0.1:5000/team/app:v2');
    expect(ref && formatImageRef(ref)).toBe('127.0.0.1:5000/team/app:v2');
    expect(ref && repositoryName(ref)).toBe('127.0.0.1:5000/team/app');
    expect(sameRepository('docker.io/library/nginx', 'nginx')).toBe(true);
    expect(sameRepository('team/app', 'other/app')).toBe(false);
  });
});
