// The static file server: Debian's nginx, run by Berth with a configuration it writes (one
// listener on loopback; no per-site configuration, so nothing is ever reloaded). Traefik routes
// each static environment here with request headers naming the site and its settings
// (src/domain/static-site.ts) and the installation's site token, without which no header names a
// site (src/secrets/static-site-token.ts); nginx maps the site to <static dir>/<app>/<env>/current and opens
// files through that symlink on every request, so switching `current` switches traffic.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { FINGERPRINTED_ASSET, IMMUTABLE_CACHE, NOT_FOUND_HEADER, RELEASE_HEADER, REVALIDATE_CACHE, SITE_HEADER, SITE_RELEASE_ID, SITE_TOKEN_HEADER, SPA_HEADER } from '../domain/static-site.js';
import { startProcess, waitUntilReady, type Supervised } from './child-process.js';

export interface StaticServerLayout {
  /** Holds nginx.conf, its pid file, temp files and log. */
  dir: string;
  staticDir: string;
  port: number;
  /** The address it listens on: loopback beside Traefik, or a host's private address (default 127.0.0.1). */
  address?: string;
  /** The installation's site token (src/secrets/static-site-token.ts): requests without it name no site. */
  token: string;
}

const BROTLI_STATIC_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
/** Host name of the server block that answers readiness probes (never a site's). */
export const PING_HOST = 'berth-static-ping';
/** Internal URI for "no such file": a plain 404 (dot-prefixed, so no site file can shadow it). */
const NOT_FOUND_URI = '/.berth-not-found';

const header = (name: string) => `$http_${name.toLowerCase().replace(/-/g, '_')}`;

export function nginxConfig(layout: StaticServerLayout): string {
  const address = layout.address ?? '127.0.0.1';
  const temp = join(layout.dir, 'tmp');
  // nginx's workers drop to `nobody` unless told otherwise; they must read what Berth unpacked.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};` : '';
  const brotli = existsSync(BROTLI_STATIC_MODULE);
  return `# Written by Berth (src/services/static-server.ts); rewritten on every start.
${brotli ? `load_module ${BROTLI_STATIC_MODULE};` : ''}
${user}
daemon off;
worker_processes auto;
pid ${join(layout.dir, 'nginx.pid')};
error_log ${join(layout.dir, 'error.log')} error;
events { worker_connections 4096; }

http {
  include /etc/nginx/mime.types;
  types { application/javascript mjs; application/manifest+json webmanifest; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/plain text/css text/xml application/javascript application/json application/xml image/svg+xml application/manifest+json;
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 65s;
  client_max_body_size 1k;
  client_body_temp_path ${join(temp, 'body')};
  proxy_temp_path ${join(temp, 'proxy')};
  fastcgi_temp_path ${join(temp, 'fastcgi')};
  uwsgi_temp_path ${join(temp, 'uwsgi')};
  scgi_temp_path ${join(temp, 'scgi')};
  # Relative Location headers: behind Traefik, nginx's own host and port mean nothing.
  absolute_redirect off;
  autoindex off;
  gzip_static on;
  ${brotli ? 'brotli_static on;' : ''}
  gzip_vary on;

  # The site header counts only beside the installation's site token, which Traefik sends (and
  # nothing else knows): a request sent here directly, whatever it names, is no site. A regex:
  # compared case-sensitively, and a 64-character string would not fit the map's hash buckets.
  map ${header(SITE_TOKEN_HEADER)} $berth_site_key {
    "~^${layout.token}$" ${header(SITE_HEADER)};
    default "";
  }
  # Site "<app>/<env>" (DNS labels only) → its directory's current release; "<app>/<env>@<release>"
  # (a blue-green preview) → that release's directory; anything else is no site.
  map $berth_site_key $berth_site {
    "~^([a-z][a-z0-9-]{0,39})/([a-z][a-z0-9-]{0,39})$" "$1/$2/current";
    "~^([a-z][a-z0-9-]{0,39})/([a-z][a-z0-9-]{0,39})@(${SITE_RELEASE_ID})$" "$1/$2/releases/$3";
    default "";
  }
  map ${header(SPA_HEADER)} $berth_fallback {
    "1" /index.html;
    default ${NOT_FOUND_URI};
  }
  # Only page paths whose segments never start with a dot (no "..", no dotfiles).
  map ${header(NOT_FOUND_HEADER)} $berth_not_found {
    "~^(/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}){1,16}$" ${header(NOT_FOUND_HEADER)};
    default ${NOT_FOUND_URI};
  }
  map $uri $berth_cache {
    "~${FINGERPRINTED_ASSET}" "${IMMUTABLE_CACHE}";
    default "${REVALIDATE_CACHE}";
  }
  # The release that answered, from the resolved root (…/releases/<id>).
  map $realpath_root $berth_release {
    "~/releases/([^/]+)$" $1;
    default "";
  }

  server {
    listen ${address}:${layout.port} default_server;
    server_name _;
    root ${layout.staticDir}/$berth_site;
    index index.html;
    add_header ${RELEASE_HEADER} $berth_release always;
    add_header Cache-Control $berth_cache;
    error_page 404 $berth_not_found;
    # A directory without index.html is not listed, and not found.
    error_page 403 =404 $berth_not_found;

    if ($berth_site = "") { return 404; }

    location / {
      try_files $uri $uri/ $berth_fallback;
    }
    # Published dot-directory (RFC 8615), e.g. /.well-known/security.txt.
    location ^~ /.well-known/ {
      try_files $uri =404;
    }
    # Every other dotfile or dot-directory (.git, .env, …) does not exist.
    location ~ /\\. {
      return 404;
    }
    location = ${NOT_FOUND_URI} {
      internal;
      return 404;
    }
  }

  server {
    listen ${address}:${layout.port};
    server_name ${PING_HOST};
    location / { return 204; }
  }
}
`;
}

export function writeNginxConfig(layout: StaticServerLayout): string {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(layout.dir, 'tmp', d), { recursive: true });
  mkdirSync(layout.staticDir, { recursive: true });
  const file = join(layout.dir, 'nginx.conf');
  // It holds the site token: readable by Berth's user alone.
  writeFileSync(file, nginxConfig(layout), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export interface StaticServer {
  url: string;
  process: Supervised;
  stop(): Promise<void>;
}

export async function startStaticServer(binary: string, layout: StaticServerLayout, options: { pidFile?: string } = {}): Promise<StaticServer> {
  if (!existsSync(binary)) throw new Error(`nginx is not installed at ${binary}: run scripts/setup.sh`);
  const file = writeNginxConfig(layout);
  const logFile = join(layout.dir, 'nginx.log');
  const proc = startProcess('nginx', binary, ['-p', layout.dir, '-e', join(layout.dir, 'error.log'), '-c', file], logFile, options);
  const url = `http://${layout.address ?? '127.0.0.1'}:${layout.port}`;
  await waitUntilReady(proc, () => staticServerAnswers(url), 15_000);
  return { url, process: proc, stop: () => proc.stop() };
}

export async function staticServerAnswers(url: string): Promise<boolean> {
  const { probeHttp } = await import('../http-probe.js');
  const res = await probeHttp(`${url}/`, { host: PING_HOST, timeoutMs: 1000, expectedStatus: 204 });
  return res.ok;
}
