// Builds .tar.gz archives in memory, hostile ones included: headers are written as given (no
// path cleaning), so a test can make exactly the entry it means to be refused.
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface RawEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  body?: string | Buffer;
  linkpath?: string;
  /** Declared size when it should differ from the body's. */
  size?: number;
}

export function tarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const type = e.type ?? 'File';
    const header = new Header({
      path: e.path,
      type,
      size: e.size ?? (type === 'File' ? body.length : 0),
      mode: type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      linkpath: e.linkpath ?? '',
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === 'File' && body.length) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function tarGz(entries: RawEntry[]): Buffer {
  return gzipSync(tarball(entries));
}

/** A site archive from path → content (directories are implied). */
export function siteArchive(files: Record<string, string | Buffer>): Buffer {
  return tarGz(Object.entries(files).map(([path, body]) => ({ path, body })));
}
