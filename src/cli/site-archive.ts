// A static site's directory packed as the .tar.gz the API takes: the directory's contents at
// the archive's root, portable headers (no owner names), in memory (sites are small; the API
// enforces its own size limits and names the entry it refuses).
import { readdir, stat } from 'node:fs/promises';
import { create } from 'tar';
import { CliError, EXIT } from './exit-codes.js';

export async function packSite(dir: string): Promise<Buffer> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`--dir ${dir}: not a directory`, EXIT.usage);
  const entries = await readdir(dir);
  if (entries.length === 0) throw new CliError(`--dir ${dir}: the directory is empty`, EXIT.usage);
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: dir, portable: true }, entries.sort());
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
