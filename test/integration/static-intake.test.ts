// Hostile archives are refused inside the upload request, with a 4xx naming the entry, and
// leave nothing behind: no file under the static directory, no row, no workflow.
import { randomBytes } from 'node:crypto';
import { snapshot as rowsAndWorkflows } from '../support/snapshot.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { siteArchive, tarGz } from '../support/archives.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp } from '../support/fixtures.js';
import type { AppFixture } from '../support/fixtures.js';
import { createStaticApp, filesUnder, uploadArchive } from '../support/static-sites.js';

let berth: TestBerth;
let site: AppFixture;
let image: AppFixture;

beforeAll(async () => {
  // Small limits, so a bomb and a flood of entries are cheap to make.
  berth = await startBerth({
    workers: false,
    env: { BERTH_STATIC_MAX_ARCHIVE_MB: '0.5', BERTH_STATIC_MAX_UNPACKED_MB: '1', BERTH_STATIC_MAX_ENTRIES: '50' },
  });
  site = await createStaticApp(berth, { app: 'site' });
  image = await createImageApp(berth, { app: 'img', image: 'berth-local/hello:v1' });
});

afterAll(async () => {
  await berth?.close();
});

async function snapshot() {
  return { ...(await rowsAndWorkflows(berth)), files: await filesUnder(berth.config.static.dir) };
}

const full = siteArchive({ 'index.html': 'x'.repeat(100_000) });

type Case = [name: string, archive: Buffer, status: number, type: string, message: RegExp, entry: string | null];
const cases: Case[] = [
  ['path traversal', tarGz([{ path: 'index.html', body: 'ok' }, { path: 'a/../../evil.html', body: 'x' }]), 400, 'ArchiveRejected', /path traversal/, 'a/../../evil.html'],
  ['absolute path', tarGz([{ path: '/etc/cron.d/evil', body: 'x' }]), 400, 'ArchiveRejected', /absolute path/, '/etc/cron.d/evil'],
  ['symlink escape', tarGz([{ path: 'passwd', type: 'SymbolicLink', linkpath: '../../../../etc/passwd' }]), 400, 'ArchiveRejected', /symbolic link .* outside the release/, 'passwd'],
  ['absolute symlink', tarGz([{ path: 'sub/root', type: 'SymbolicLink', linkpath: '/' }]), 400, 'ArchiveRejected', /outside the release/, 'sub/root'],
  ['hard link escape', tarGz([{ path: 'shadow', type: 'Link', linkpath: '../etc/shadow' }]), 400, 'ArchiveRejected', /hard link .* outside the release/, 'shadow'],
  ['device entry', tarGz([{ path: 'dev/sda', type: 'BlockDevice' }]), 400, 'ArchiveRejected', /block device/, 'dev/sda'],
  ['character device', tarGz([{ path: 'null', type: 'CharacterDevice' }]), 400, 'ArchiveRejected', /character device/, 'null'],
  ['FIFO entry', tarGz([{ path: 'pipe', type: 'FIFO' }]), 400, 'ArchiveRejected', /FIFO/, 'pipe'],
  ['bomb over the unpacked limit', tarGz([{ path: 'zeros.bin', body: Buffer.alloc(3 * 1024 * 1024) }]), 413, 'PayloadTooLarge', /unpacks to more than/, 'zeros.bin'],
  ['too many entries', tarGz(Array.from({ length: 60 }, (_, i) => ({ path: `f${i}.txt`, body: 'x' }))), 413, 'PayloadTooLarge', /more than 50 entries/, 'f50.txt'],
  ['truncated gzip', full.subarray(0, Math.floor(full.length / 2)), 400, 'ArchiveRejected', /truncated gzip/, null],
  ['not gzip at all', Buffer.from('<html>not an archive</html>'), 400, 'ArchiveRejected', /not a gzip file/, null],
  ['gzip of something else', siteArchive({}).subarray(0, 10), 400, 'ArchiveRejected', /gzip/, null],
  ['compressed size over the limit', tarGz([{ path: 'noise.bin', body: randomBytes(700 * 1024) }]), 413, 'PayloadTooLarge', /larger than/, null],
];

describe('hostile archives', () => {
  test.each(cases)('%s is refused', async (_name, archive, status, type, message, entry) => {
    const before = await snapshot();
    const res = await uploadArchive(berth, site, archive);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.type).toBe(type);
    expect(res.body.error.message).toMatch(message);
    if (entry) {
      expect(res.body.error.message).toContain(JSON.stringify(entry));
      expect(res.body.error.issues[0].path).toBe(entry);
    }
    expect(await snapshot()).toEqual(before);
    expect(before.files).toEqual([]);
  });
});

describe('wrong bodies', () => {
  test('a static app refuses JSON; an image app refuses an archive', async () => {
    const before = await snapshot();
    const json = await berth.api('POST', `${site.base}/deployments`, {});
    expect(json.status).toBe(400);
    expect(json.body.error.message).toMatch(/static site: send its \.tar\.gz/);
    const tgz = await uploadArchive(berth, image, siteArchive({ 'index.html': 'hi' }));
    expect(tgz.status).toBe(400);
    expect(tgz.body.error.message).toMatch(/deploys images, not archives/);
    const empty = await uploadArchive(berth, site, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test('static settings are validated', async () => {
    const before = await snapshot();
    const bad: [unknown, RegExp][] = [
      [{ project: 'p-site', name: 'x1', kind: 'static', static: { notFoundPage: '/../etc/passwd' } }, /notFoundPage/],
      [{ project: 'p-site', name: 'x1', kind: 'static', static: { notFoundPage: '/.secret.html' } }, /notFoundPage/],
      [{ project: 'p-site', name: 'x1', kind: 'static', static: { spa: 'yes' } }, /spa/],
      [{ project: 'p-site', name: 'x1', kind: 'static', static: { spa: true, extra: 1 } }, /extra/],
      [{ project: 'p-site', name: 'x1', static: { spa: true } }, /only apps of kind static/],
      [{ project: 'p-site', name: 'x1', kind: 'stack' }, /kind/],
    ];
    for (const [body, message] of bad) {
      const res = await berth.api('POST', '/api/v1/apps', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const patch = await berth.api('PATCH', '/api/v1/apps/img', { static: { spa: true } });
    expect(patch.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});
