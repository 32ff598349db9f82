// A static site's deployment arrives as a .tar.gz request body. It is checked inside the
// request (src/static/receive-archive.ts), so a bad archive is refused with a 4xx naming the
// entry and leaves nothing behind; a good one is staged for the deploy workflow to unpack.
import type { Context } from 'hono';
import type { Config } from '../src/config.js';
import type { StaticArtifact } from '../src/domain/deployment.js';
import { ArchiveRejected } from '../src/static/archive-rules.js';
import { receiveArchive } from '../src/static/receive-archive.js';
import { sitePaths } from '../src/static/site-paths.js';
import { HttpError } from './errors.js';

export const ARCHIVE_MEDIA_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'] as const;

export function isArchiveUpload(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && (ARCHIVE_MEDIA_TYPES as readonly string[]).includes(type);
}

export async function receiveUpload(c: Context, config: Config, site: { appName: string; environmentName: string; deploymentId: string }): Promise<StaticArtifact> {
  const length = c.req.header('content-length');
  // On Node's HTTP server the request itself is the fastest stream; in-process requests (tests)
  // have only the web stream.
  const incoming = (c.env as { incoming?: NodeJS.ReadableStream } | undefined)?.incoming;
  try {
    return await receiveArchive({
      body: incoming ?? c.req.raw.body,
      declaredBytes: length && /^\d+$/.test(length) ? Number(length) : null,
      paths: sitePaths(config.static.dir, site.appName, site.environmentName),
      deploymentId: site.deploymentId,
      limits: config.static.limits,
    });
  } catch (err) {
    if (!(err instanceof ArchiveRejected)) throw err;
    const issues = [{ path: err.entry ?? '(archive)', message: err.message }];
    throw err.overLimit ? new HttpError(413, 'PayloadTooLarge', err.message, issues) : new HttpError(400, 'ArchiveRejected', err.message, issues);
  }
}
