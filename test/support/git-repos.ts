// Local git repositories as build sources: an app whose version string lives in a file, built
// FROM the local busybox base. Commits change the version; every repository is removed after.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const APP_DOCKERFILE = `FROM berth-local/busybox:1
ARG GREETING=hello
ARG RUN_ID=none
RUN echo "$RUN_ID" > /run-id
RUN --mount=type=secret,id=api_token sh -c 'echo "token has $(wc -c < /run/secrets/api_token) bytes"; echo "token is $(cat /run/secrets/api_token)"'
RUN mkdir -p /www && echo ok > /www/healthz && echo "$GREETING" > /www/greeting
COPY version /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`;

export interface LocalRepo {
  dir: string;
  url: string;
  /** Commits the version (and optionally other files) on the branch; returns the sha. */
  commit(version: string, options?: { branch?: string; files?: Record<string, string> }): string;
  /** Tags the current commit. */
  tag(name: string): void;
  remove(): void;
}

export function createLocalRepo(options: { dockerfile?: string } = {}): LocalRepo {
  const dir = mkdtempSync(join(tmpdir(), 'berth-repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).toString().trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'Dockerfile'), options.dockerfile ?? APP_DOCKERFILE);
  return {
    dir,
    url: `file://${dir}`,
    commit(version, opts = {}) {
      const branch = opts.branch ?? 'main';
      const current = git('symbolic-ref', '--short', 'HEAD');
      if (current !== branch) {
        const exists = git('branch', '--list', branch) !== '';
        git('checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
      }
      writeFileSync(join(dir, 'version'), `${version}\n`);
      for (const [file, text] of Object.entries(opts.files ?? {})) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      git('add', '-A');
      git('commit', '-q', '-m', `version ${version}`);
      return git('rev-parse', 'HEAD');
    },
    tag(name) {
      git('tag', name);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
