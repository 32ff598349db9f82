// Bind mounts of paths relative to the compose file (./nginx.conf:/etc/nginx/nginx.conf:ro),
// which `docker compose up` takes from the directory it runs in. Berth has that directory only
// for stacks from git, at the deployed commit: a file (or a read-only directory) becomes Swarm
// configs with its content, mounted at the same place; a writable directory becomes a volume of
// the stack, since what the service writes there is its state. For uploaded files, read-only
// content cannot be had (refused, naming the way to give it), nor a file's (a name with an
// extension); a writable directory becomes a volume.
import { createHash } from 'node:crypto';
import type { ComposeFindings } from './compose-issues.js';
import type { ComposeDocument } from './compose-document.js';

type Doc = ComposeDocument;

export type RepoEntry = { kind: 'file'; content: string } | { kind: 'dir'; files: Record<string, string> } | { kind: 'missing' };

/** The repository at the deployed commit, as the compose file sees it (paths relative to its directory). */
export interface RepoFiles {
  /** Throws (with the reason) for a path outside the repository or content too large. */
  entry(path: string): RepoEntry;
}

/** At most this many files of one directory become configs. */
const MAX_DIRECTORY_FILES = 50;

interface Bind {
  source: string;
  target: string;
  readOnly: boolean;
}

export function translateBinds(services: Record<string, Doc>, doc: Doc, repo: RepoFiles | undefined, found: ComposeFindings): void {
  for (const [name, s] of Object.entries(services)) {
    if (!Array.isArray(s.volumes)) continue;
    const kept: unknown[] = [];
    const configs: unknown[] = Array.isArray(s.configs) ? [...(s.configs as unknown[])] : [];
    for (const [i, v] of (s.volumes as unknown[]).entries()) {
      const bind = relativeBind(v);
      if (!bind) {
        kept.push(v);
        continue;
      }
      const path = `services.${name}.volumes.${i}`;
      const say = (message: string) => `service ${name}: volumes.${i}: bind mount ${bind.source}: ${message}`;
      let entry: RepoEntry = { kind: 'missing' };
      if (repo) {
        try {
          entry = repo.entry(bind.source);
        } catch (err) {
          found.refuse(path, say((err as Error).message));
          continue;
        }
      }
      if (entry.kind === 'file' || (entry.kind === 'dir' && bind.readOnly)) {
        const files = entry.kind === 'file' ? { '': entry.content } : entry.files;
        if (Object.keys(files).length > MAX_DIRECTORY_FILES) {
          found.refuse(path, say(`more than ${MAX_DIRECTORY_FILES} files: mount fewer, or build them into the image`));
          continue;
        }
        doc.configs ??= {};
        for (const [rel, content] of Object.entries(files)) {
          const config = configName(bind.source, rel);
          doc.configs[config] = { 'x-berth-content': content };
          configs.push({ source: config, target: rel ? `${bind.target.replace(/\/$/, '')}/${rel}` : bind.target });
        }
        const what = entry.kind === 'file' ? 'its content' : `its ${Object.keys(files).length} file(s)`;
        found.warn(path, say(`${what} from the repository at the deployed commit, mounted read-only as Swarm configs${bind.readOnly ? '' : ' (writes there are refused)'}`));
      } else if (!bind.readOnly && (repo || !looksLikeFile(bind.source))) {
        const volume = volumeName(bind.source);
        doc.volumes ??= {};
        doc.volumes[volume] ??= {};
        kept.push(`${volume}:${bind.target}`);
        const inRepo = entry.kind === 'dir' ? 'its files in the repository are not copied; ' : '';
        found.warn(path, say(`the stack's volume ${volume} instead: ${inRepo}what the service writes there stays in the volume across deployments${repo ? '' : '. If the service needs files from the directory, deploy the stack from its git repository'}`));
      } else if (repo) {
        found.refuse(path, say('does not exist in the commit'));
      } else {
        found.refuse(path, say("its content is in the compose file's directory, which an uploaded compose file does not carry: make the app a stack from its git repository (git.composeFile), so Berth reads it at the deployed commit"));
      }
    }
    s.volumes = kept;
    if (configs.length) s.configs = configs;
  }
}

/** A bind mount of a path relative to the compose file, in either syntax; null for anything else. */
function relativeBind(v: unknown): Bind | null {
  if (typeof v === 'string') {
    const parts = v.split(':');
    const [source = '', target = '', mode = 'rw'] = parts;
    if (parts.length < 2 || parts.length > 3 || !source.startsWith('.')) return null;
    return { source, target, readOnly: mode.split(',').includes('ro') };
  }
  const m = v as Doc;
  if (m?.type !== 'bind' || typeof m.source !== 'string' || !m.source.startsWith('.') || typeof m.target !== 'string') return null;
  return { source: m.source, target: m.target, readOnly: m.read_only === true };
}

/** Without the directory, a name with an extension (./nginx.conf) is taken for a file whose content is needed. */
function looksLikeFile(source: string): boolean {
  return /[^/.]\.[A-Za-z0-9]{1,8}$/.test(source);
}

/** Short (Swarm object names are limited), readable, and distinct per file. */
function configName(source: string, rel: string): string {
  const path = rel ? `${source}/${rel}` : source;
  return `${slug(path.split('/').pop() ?? 'file', 10)}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}

function volumeName(source: string): string {
  return `bind-${slug(source, 16)}-${createHash('sha256').update(source).digest('hex').slice(0, 6)}`;
}

function slug(text: string, max: number): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '') || 'x'
  );
}
