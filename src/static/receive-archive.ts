// Intake of a static site's archive, inside the upload request: the body is streamed to a
// staging file (never held whole in memory; the compressed limit enforced and the sha256
// computed as it arrives), then every entry is checked. Only an archive that passes is kept
// (renamed to incoming/<deployment>.tar.gz for the deploy workflow); whatever fails leaves
// nothing behind.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveLimits } from '../config.js';
import type { StaticArtifact } from '../domain/deployment.js';
import { ArchiveRejected } from './archive-rules.js';
import { readArchive } from './read-archive.js';
import type { SitePaths } from './site-paths.js';

export async function receiveArchive(input: {
  body: ReadableStream<Uint8Array> | NodeJS.ReadableStream | null;
  declaredBytes: number | null;
  paths: SitePaths;
  deploymentId: string;
  limits: ArchiveLimits;
}): Promise<StaticArtifact> {
  const { limits, paths } = input;
  const tooLarge = () => new ArchiveRejected(`archive is larger than ${limits.archiveBytes} bytes`, null, true);
  if (input.declaredBytes !== null && input.declaredBytes > limits.archiveBytes) throw tooLarge();
  if (!input.body) throw new ArchiveRejected('no archive in the request body', null);

  await mkdir(paths.incoming, { recursive: true });
  const final = paths.staged(input.deploymentId);
  const partial = `${final}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limits.archiveBytes) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const source = input.body instanceof ReadableStream ? Readable.fromWeb(input.body as import('node:stream/web').ReadableStream) : (input.body as NodeJS.ReadableStream);
  try {
    await pipeline(source, meter, createWriteStream(partial, { flags: 'wx' }));
    if (bytes === 0) throw new ArchiveRejected('no archive in the request body', null);
    const manifest = await readArchive(partial, limits);
    if (manifest.files === 0) throw new ArchiveRejected('archive has no files', null);
    await rename(partial, final);
    return { sha256: hash.digest('hex'), bytes, files: manifest.files, unpackedBytes: manifest.fileBytes };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
