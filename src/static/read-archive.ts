// Reads a staged .tar.gz once, streaming: our own gunzip (so every byte it produces is counted
// against the unpacked limit, and a gzip inside the gzip is refused instead of unpacked again),
// then node-tar, whose filter judges each entry by its header before anything is written. The
// same path serves the API's check of an upload and the worker's unpack (defence in depth).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Stats } from 'node:fs';
import { Parser, Unpack, type ReadEntry } from 'tar';
import type { ArchiveLimits } from '../config.js';
import { ArchiveBudget, ArchiveRejected, checkEntry } from './archive-rules.js';

export interface ArchiveManifest {
  entries: number;
  files: number;
  fileBytes: number;
  unpackedBytes: number;
}

export interface ReadOptions {
  /** Unpack into this (existing, empty) directory; without it the archive is only checked. */
  extractTo?: string;
  signal?: AbortSignal;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

export async function readArchive(file: string, limits: ArchiveLimits, options: ReadOptions = {}): Promise<ArchiveManifest> {
  await assertGzip(file);
  const budget = new ArchiveBudget(limits);
  // Parsing hands the filter entries, never file system stats (those are for packing).
  const filter = (_path: string, entry: ReadEntry | Stats) => {
    try {
      const e = entry as ReadEntry;
      checkEntry({ path: e.path, type: e.type, linkpath: e.linkpath, size: e.size });
      budget.countEntry({ path: e.path, type: e.type, size: e.size });
      // Modes from the archive are not kept: readable files, traversable directories, no setuid.
      if (typeof e.mode === 'number') e.mode = e.type === 'Directory' ? DIR_MODE : FILE_MODE;
      return true;
    } catch (err) {
      sink.abort(err as Error);
      return false;
    }
  };
  const common = { strict: true, filter, zstd: false, brotli: false } as const;
  const sink: Parser = options.extractTo
    ? new Unpack({
        ...common,
        cwd: options.extractTo,
        // Extraction time, not the archive's: ETags (mtime + size) then differ between releases
        // even when a reproducible build stamps every file with the same time.
        noMtime: true,
        preserveOwner: false,
        dmode: DIR_MODE,
        fmode: FILE_MODE,
      })
    : new Parser(common);
  if (!options.extractTo) sink.on('entry', (entry: ReadEntry) => entry.resume());

  const source = createReadStream(file);
  const gunzip = createGunzip();
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        // node-tar would gunzip a gzip it finds inside, past our count: refuse it instead.
        if (budget.unpackedBytes === 0 && chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1]) {
          throw new ArchiveRejected('archive is gzip inside gzip, not a tar archive', null);
        }
        budget.countUnpacked(chunk.length);
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
  });

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.destroy();
      gunzip.destroy();
      counter.destroy();
      const reason = describe(err);
      try {
        // Stops an unpack mid-way; the caller removes what it wrote.
        sink.abort(reason);
      } catch {
        // already aborted
      }
      reject(reason);
    };
    const onAbort = () => fail(new Error('archive read cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    source.on('error', fail);
    gunzip.on('error', fail);
    counter.on('error', fail);
    sink.on('error', fail);
    sink.on('end', () => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      resolve();
    });
    source.pipe(gunzip).pipe(counter).pipe(sink as unknown as NodeJS.WritableStream);
  });
  return { entries: budget.entries, files: budget.files, fileBytes: budget.fileBytes, unpackedBytes: budget.unpackedBytes };
}

async function assertGzip(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
      throw new ArchiveRejected('not a gzip file (expected a .tar.gz)', null);
    }
  } finally {
    await handle.close();
  }
}

/** Turns what zlib and node-tar throw into an ArchiveRejected a user can act on. */
function describe(err: unknown): Error {
  if (err instanceof ArchiveRejected) return err;
  const e = err as NodeJS.ErrnoException & { tarCode?: string };
  if (e.tarCode === undefined && e.code?.startsWith('Z_')) return new ArchiveRejected(`invalid or truncated gzip data (${e.message})`, null);
  if (e.tarCode?.startsWith('TAR_')) return new ArchiveRejected(`not a valid tar archive (${e.message})`, null);
  return err as Error;
}
