// What may reach git from outside (repository URLs, refs, paths), checked before git sees it,
// and the argument arrays git is run with: never a shell, and user values only after `--`, so
// a value that looks like an option (--upload-pack=…) is never read as one. GIT_ALLOW_PROTOCOL
// (activities/build/fetch-source.ts) also keeps ext:: and fd:: transports out whatever a URL says.

const SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:', 'file:']);

/** Why a git URL is refused, or null when git may fetch it with the transports Berth allows. */
export function gitUrlProblem(url: string): string | null {
  if (url.length === 0 || url.length > 2048) return 'must be 1 to 2048 characters';
  if (/[\s\x00-\x1f\x7f]/.test(url)) return 'contains whitespace or control characters';
  if (url.startsWith('-')) return 'must not start with -';
  // Git never needs them; a shell would read them (no shell is used, but a log line may be pasted into one).
  if (/[`$;|&<>'"\\]/.test(url)) return 'contains a shell metacharacter';
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/.test(url) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\//.test(url)) return null; // scp-like
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL (https://, ssh://, git://, file:// or user@host:path)';
  }
  if (!SCHEMES.has(parsed.protocol)) return `transport ${parsed.protocol.replace(/:$/, '')} is not allowed`;
  if (parsed.password) return 'must not carry a password (GitHub repositories use the app installation)';
  return null;
}

/** Why a branch, tag or commit name is refused (git check-ref-format's rules, and no leading -). */
export function gitRefProblem(ref: string): string | null {
  if (ref.length === 0 || ref.length > 255) return 'must be 1 to 255 characters';
  if (ref.startsWith('-')) return 'must not start with -';
  if (/[\x00-\x20\x7f~^:?*[\\$`;|&<>()'"!{}]/.test(ref)) return 'contains a character git refs may not have';
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//')) return 'contains .., @{ or //';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return 'must not start or end with / or end with . or .lock';
  if (ref.split('/').some((part) => part.startsWith('.'))) return 'no part may start with .';
  return null;
}

/** Why a path inside a repository is refused (relative, no .. segment, no control characters). */
export function repoPathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 512) return 'must be 1 to 512 characters';
  if (path.startsWith('/') || path.startsWith('-')) return 'must be relative and not start with -';
  if (path.split('/').includes('..')) return 'must not contain ..';
  if (/[\x00-\x1f\x7f]/.test(path)) return 'contains control characters';
  return null;
}

/** Thrown for a URL or ref git must not be given. */
export class GitInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitInputError';
  }
}

/** `git fetch` of one ref or commit at depth 1: the checked URL and ref after `--`. */
export function fetchArgs(url: string, want: string): string[] {
  const urlProblem = gitUrlProblem(url);
  if (urlProblem) throw new GitInputError(`git URL refused: ${urlProblem}`);
  const refProblem = gitRefProblem(want);
  if (refProblem) throw new GitInputError(`git ref refused: ${refProblem}`);
  return ['fetch', '-q', '--depth', '1', '--no-tags', '--', url, want];
}
