// Docker image references, parsed by the grammar of distribution/reference:
//   [domain[:port]/]path-component[/path-component…][:tag][@algorithm:hex]

export interface ImageRef {
  /** Registry host (and port) when the reference names one, else null (Docker Hub). */
  domain: string | null;
  /** Repository path without domain, e.g. "library/nginx" or "team/app". */
  path: string;
  tag: string | null;
  digest: string | null;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

export const MAX_IMAGE_REF_LENGTH = 255;

/** Parses a reference; returns null when it is not one. */
export function parseImageRef(text: string): ImageRef | null {
  if (text.length === 0 || text.length > MAX_IMAGE_REF_LENGTH) return null;
  const m = REFERENCE.exec(text);
  if (!m) return null;
  let domain = m[1] ?? null;
  let path = m[2] as string;
  // "foo/bar": "foo" is a domain only if it looks like one (has a dot or port, or is localhost).
  if (domain !== null && !/[.:]/.test(domain) && domain !== 'localhost' && !domain.startsWith('[')) {
    if (domain !== domain.toLowerCase()) return null;
    path = `${domain}/${path}`;
    domain = null;
  }
  return { domain, path, tag: m[3] ?? null, digest: m[4] ?? null };
}

/** The repository name as Docker writes it in RepoDigests ("nginx", "127.0.0.1:5000/app"). */
export function repositoryName(ref: ImageRef): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

export function formatImageRef(ref: ImageRef): string {
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Docker Hub normalises "nginx" to "docker.io/library/nginx"; RepoDigests use the short form. */
export function sameRepository(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/^docker\.io\//, '').replace(/^library\//, '');
  return norm(a) === norm(b);
}
