// The archive the web UI packs in the browser for a static site: a .tar.gz that the tar
// package (what the API's intake reads with) lists with the right paths and contents.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x } from 'tar';
import { afterAll, expect, test } from 'vitest';
import { gzip, stripCommonFolder, tar } from '../../ui/parts/tar-gzip.js';

const dir = mkdtempSync(join(tmpdir(), 'ui-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);

test('files and long paths survive the round trip', async () => {
  const long = `${'deep/'.repeat(25)}page.html`;
  const files = stripCommonFolder([
    { path: 'site/index.html', data: enc('<h1>hi</h1>\n') },
    { path: 'site/css/a.css', data: enc('a{}') },
    { path: `site/${long}`, data: enc('deep') },
  ]);
  expect(files.map((f) => f.path)).toEqual(['index.html', 'css/a.css', long]);
  const archive = Buffer.from(await (await gzip(tar(files))).arrayBuffer());
  const file = join(dir, 'site.tar.gz');
  await import('node:fs/promises').then((fs) => fs.writeFile(file, archive));
  await x({ file, cwd: dir, strict: true });
  expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
  expect(readFileSync(join(dir, 'css/a.css'), 'utf8')).toBe('a{}');
  expect(readFileSync(join(dir, long), 'utf8')).toBe('deep');
});

test('files from several folders keep their folders', () => {
  const files = [
    { path: 'a/x', data: enc('1') },
    { path: 'b/y', data: enc('2') },
  ];
  expect(stripCommonFolder(files)).toEqual(files);
});
