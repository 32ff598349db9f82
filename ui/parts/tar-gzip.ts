// A static site's files packed in the browser as the .tar.gz the API takes (POSIX ustar, gzip by
// the browser's own CompressionStream): dropped folders keep their paths, at the archive's root.

export interface SiteFile {
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeField(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, length), offset);
}

const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;

function header(path: string, size: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  // ustar splits long names into prefix (155) + name (100) at a slash.
  let name = path;
  let prefix = '';
  if (encoder.encode(path).length > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || encoder.encode(path.slice(cut + 1)).length > 100) throw new Error(`${path}: the path is too long for the archive`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  writeField(block, 0, 100, name);
  writeField(block, 100, 8, octal(0o644, 8));
  writeField(block, 108, 8, octal(0, 8));
  writeField(block, 116, 8, octal(0, 8));
  writeField(block, 124, 12, octal(size, 12));
  writeField(block, 136, 12, octal(Math.floor(Date.now() / 1000), 12));
  writeField(block, 148, 8, '        ');
  block[156] = '0'.charCodeAt(0);
  writeField(block, 257, 6, 'ustar\0');
  writeField(block, 263, 2, '00');
  writeField(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeField(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

export function tar(files: SiteFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(header(f.path, f.data.length), f.data);
    const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function gzip(data: Uint8Array): Promise<Blob> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).blob();
}

/** Drops one folder: its contents go at the archive's root (as `berth deploy --dir` does). */
export function stripCommonFolder(files: SiteFile[]): SiteFile[] {
  const first = files[0]?.path.split('/')[0];
  if (!first || !files.every((f) => f.path.startsWith(`${first}/`))) return files;
  return files.map((f) => ({ ...f, path: f.path.slice(first.length + 1) }));
}
