// A fork's build must not share BuildKit's layer cache with trusted builds, in either direction:
// it could take layers a trusted build made with secrets (a private artifact, say), or leave
// layers a trusted build would reuse. Secrets are not part of a step's cache key, so identical
// steps match. Every stage of an untrusted build therefore declares one more build argument,
// set to the deployment's id: Docker passes declared arguments to every later RUN step, which
// changes their cache keys (a miss on read, nothing reusable on write). Heredoc bodies are left
// as they are.

export const UNTRUSTED_BUILD_ARG = 'BERTH_UNTRUSTED_BUILD_ID';

const FROM = /^\s*FROM\s/i;
const HEREDOC = /<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g;

export function isolateDockerfile(text: string): string {
  const out: string[] = [];
  const open: string[] = [];
  for (const line of text.split('\n')) {
    out.push(line);
    if (open.length) {
      if (line.trim() === open[0]) open.shift();
      continue;
    }
    if (FROM.test(line)) {
      out.push(`ARG ${UNTRUSTED_BUILD_ARG}`);
      continue;
    }
    for (const m of line.matchAll(HEREDOC)) open.push(m[2] as string);
  }
  return out.join('\n');
}
