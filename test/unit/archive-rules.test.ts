import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { ArchiveBudget, ArchiveRejected, checkEntry } from '../../src/static/archive-rules.js';
import { readArchive } from '../../src/static/read-archive.js';
import { verifyTree } from '../../src/static/verify-tree.js';
import { siteArchive, tarball, tarGz } from '../support/archives.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const limits = { archiveBytes: 1 << 30, unpackedBytes: 64 * 1024, entries: 20 };

function refusal(fn: () => unknown): ArchiveRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArchiveRejected) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('checkEntry', () => {
  test.each([
    ['index.html', 'File', undefined, 'index.html'],
    ['./assets/app.js', 'File', undefined, 'assets/app.js'],
    ['./', 'Directory', undefined, ''],
    ['docs/', 'Directory', undefined, 'docs'],
    ['docs/latest', 'SymbolicLink', 'v2', 'docs/latest'],
    ['a/b/up', 'SymbolicLink', '../c', 'a/b/up'],
    ['a/to-root', 'SymbolicLink', '..', 'a/to-root'],
    ['copy.html', 'Link', 'index.html', 'copy.html'],
  ])('%s (%s → %s) is inside', (path, type, linkpath, inside) => {
    expect(checkEntry({ path, type, linkpath })).toBe(inside);
  });

  test.each([
    ['../x', 'File', undefined, /path traversal/],
    ['a/../../x', 'File', undefined, /path traversal/],
    ['/etc/passwd', 'File', undefined, /absolute path/],
    ['C:/x', 'File', undefined, /absolute path/],
    ['a\\..\\x', 'File', undefined, /backslash/],
    ['link', 'SymbolicLink', '/etc/passwd', /outside the release/],
    ['link', 'SymbolicLink', '..', /outside the release/],
    ['a/link', 'SymbolicLink', '../../x', /outside the release/],
    ['hard', 'Link', '../x', /hard link .* outside/],
    ['hard', 'Link', '/etc/shadow', /hard link .* outside/],
    ['null', 'CharacterDevice', undefined, /character device/],
    ['sda', 'BlockDevice', undefined, /block device/],
    ['fifo', 'FIFO', undefined, /FIFO/],
    ['sparse', 'SparseFile', undefined, /SparseFile/],
    ['empty-link', 'SymbolicLink', '', /without a target/],
  ])('%s (%s → %s) is refused', (path, type, linkpath, message) => {
    const err = refusal(() => checkEntry({ path, type, linkpath }));
    expect(err.message).toMatch(message);
    expect(err.entry).toBe(path);
    expect(err.overLimit).toBe(false);
  });
});

describe('ArchiveBudget', () => {
  test('counts entries and bytes against the limits', () => {
    const budget = new ArchiveBudget({ archiveBytes: 1, unpackedBytes: 100, entries: 2 });
    budget.countEntry({ path: 'a', type: 'File', size: 60 });
    expect(refusal(() => budget.countEntry({ path: 'b', type: 'File', size: 50 })).overLimit).toBe(true);
    const entries = new ArchiveBudget({ archiveBytes: 1, unpackedBytes: 100, entries: 1 });
    entries.countEntry({ path: 'd', type: 'Directory' });
    expect(refusal(() => entries.countEntry({ path: 'e', type: 'Directory' })).message).toMatch(/more than 1 entries/);
  });
});

describe('readArchive', () => {
  let n = 0;
  const file = (buf: Buffer) => {
    const f = join(dir, `a${n++}.tgz`);
    writeFileSync(f, buf);
    return f;
  };

  test('checks and unpacks a good archive with readable modes', async () => {
    const out = mkdtempSync(join(dir, 'out-'));
    const m = await readArchive(file(siteArchive({ 'index.html': 'hi', 'a/b.css': 'x' })), limits, { extractTo: out });
    expect(m).toMatchObject({ entries: 2, files: 2, fileBytes: 3 });
    expect(readdirSync(out).sort()).toEqual(['a', 'index.html']);
  });

  test.each([
    ['a truncated tar inside whole gzip', gzipSync(tarball([{ path: 'big', body: Buffer.alloc(4096, 1) }]).subarray(0, 1500)), /not a valid tar archive/],
    ['gzip inside gzip', gzipSync(siteArchive({ a: 'b' })), /gzip inside gzip/],
    ['data after the end marker past the limit', gzipSync(Buffer.concat([gunzipSync(siteArchive({ a: 'b' })), Buffer.alloc(100 * 1024)])), /unpacks to more than/],
    ['a bomb declared by its header', tarGz([{ path: 'huge', body: Buffer.alloc(70 * 1024) }]), /unpacks to more than .*huge/],
    ['not gzip', Buffer.from('plain text'), /not a gzip file/],
  ])('refuses %s', async (_name, archive, message) => {
    await expect(readArchive(file(archive), limits)).rejects.toThrow(message);
  });

  test('an unpack stopped by a bad entry leaves only what came before it', async () => {
    const out = mkdtempSync(join(dir, 'out-'));
    const archive = tarGz([{ path: 'ok.txt', body: 'fine' }, { path: '../../escape.txt', body: 'bad' }]);
    await expect(readArchive(file(archive), limits, { extractTo: out })).rejects.toThrow(/path traversal/);
    expect(readdirSync(join(out, '..'))).not.toContain('escape.txt');
  });
});

describe('verifyTree', () => {
  test('counts files; refuses a symlink that leaves the tree', async () => {
    const root = mkdtempSync(join(dir, 'tree-'));
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'a.txt'), 'abc');
    symlinkSync('sub/a.txt', join(root, 'inside'));
    expect(await verifyTree(root)).toEqual({ files: 1, bytes: 3, directories: 1, symlinks: 1 });
    symlinkSync('../../etc', join(root, 'sub', 'out'));
    await expect(verifyTree(root)).rejects.toThrow(/sub\/out.*outside the release/);
  });
});
