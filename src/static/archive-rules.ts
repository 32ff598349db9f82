// What a static site's archive may contain. Each entry is judged by its header alone, before
// anything is written: a path inside the release, a regular file, a directory, or a link that
// stays inside the release. Everything else names the entry in the error.
import { posix } from 'node:path';
import type { ArchiveLimits } from '../config.js';

/** Why an archive was refused; `entry` names the entry to blame, when there is one. */
export class ArchiveRejected extends Error {
  constructor(
    message: string,
    readonly entry: string | null,
    /** A size or count limit (413) rather than bad content (400). */
    readonly overLimit = false,
  ) {
    super(message);
    this.name = 'ArchiveRejected';
  }
}

export interface EntryHeader {
  path: string;
  type: string;
  linkpath?: string | undefined;
  size?: number | null | undefined;
}

const CONTENT_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const SPECIAL_TYPES: Record<string, string> = {
  CharacterDevice: 'character device',
  BlockDevice: 'block device',
  FIFO: 'FIFO',
};

function outside(normalised: string): boolean {
  return normalised === '..' || normalised.startsWith('../');
}

/** Checks one entry; returns its path inside the release ("" for the release root itself). */
export function checkEntry(entry: EntryHeader): string {
  const name = entry.path;
  const reject = (why: string) => new ArchiveRejected(`archive entry ${JSON.stringify(name)}: ${why}`, name);
  if (name.length === 0 || name.includes('\0')) throw reject('empty or NUL in its path');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw reject('absolute path');
  if (name.includes('\\')) throw reject('backslash in its path');
  if (name.split('/').includes('..')) throw reject('path traversal ("..") leaves the release');
  const special = SPECIAL_TYPES[entry.type];
  if (special) throw reject(`${special} entries are not allowed`);
  if (!CONTENT_TYPES.has(entry.type)) throw reject(`entries of type ${entry.type} are not allowed`);
  const inside = posix.normalize(name).replace(/\/+$/, '');
  const path = inside === '.' ? '' : inside;

  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const link = entry.linkpath ?? '';
    const kind = entry.type === 'Link' ? 'hard link' : 'symbolic link';
    if (link.length === 0 || link.includes('\0')) throw reject(`${kind} without a target`);
    if (link.startsWith('/') || /^[A-Za-z]:/.test(link) || link.includes('\\')) {
      throw reject(`${kind} to ${JSON.stringify(link)} points outside the release`);
    }
    // A symbolic link resolves from its own directory; a hard link names another entry.
    const target = entry.type === 'SymbolicLink' ? posix.normalize(posix.join(posix.dirname(path || '.'), link)) : posix.normalize(link);
    if (outside(target)) throw reject(`${kind} to ${JSON.stringify(link)} points outside the release`);
  }
  return path;
}

/** Counts entries and unpacked bytes against the limits as an archive is read. */
export class ArchiveBudget {
  entries = 0;
  files = 0;
  /** File bytes as the entries declare them. */
  fileBytes = 0;
  /** Everything gunzip produced (headers, padding, data after the end marker). */
  unpackedBytes = 0;

  constructor(private readonly limits: ArchiveLimits) {}

  countEntry(entry: EntryHeader): void {
    this.entries++;
    if (this.entries > this.limits.entries) {
      throw new ArchiveRejected(`archive has more than ${this.limits.entries} entries (at ${JSON.stringify(entry.path)})`, entry.path, true);
    }
    if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
      this.files++;
      this.fileBytes += entry.size ?? 0;
      if (this.fileBytes > this.limits.unpackedBytes) throw this.tooLarge(entry.path);
    }
  }

  countUnpacked(bytes: number): void {
    this.unpackedBytes += bytes;
    if (this.unpackedBytes > this.limits.unpackedBytes) throw this.tooLarge(null);
  }

  private tooLarge(entry: string | null): ArchiveRejected {
    const at = entry === null ? '' : ` (at ${JSON.stringify(entry)})`;
    return new ArchiveRejected(`archive unpacks to more than ${this.limits.unpackedBytes} bytes${at}`, entry, true);
  }
}
