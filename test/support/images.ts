// Test images built FROM the local busybox base (no registry needed), labelled so every test
// removes what it built.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HELLO = fileURLToPath(new URL('../fixtures/hello', import.meta.url));
const DOCKER = '/usr/bin/docker';
/** Every image a test run builds is its own (a label changes the image id), so runs never share one. */
const RUN = `${process.pid}-${Date.now().toString(36)}`;

/**
 * Builds the hello app answering `version`; with healthy: false its /healthz is a 404;
 * startDelay/stopDelay (seconds) slow its start (before it listens) and its stop; unhealthyAfter
 * (seconds) turns its /healthz into a 404 that long after it listens, / still answering;
 * errorPercent makes /cgi-bin/answer a 500 for that share of its requests (at random);
 * refuseHost makes /cgi-bin/host-check a 421 for a Host starting with it.
 */
export function buildHello(tag: string, options: { version: string; healthy?: boolean; startDelay?: number; stopDelay?: number; unhealthyAfter?: number; errorPercent?: number; refuseHost?: string }): string {
  execFileSync(
    DOCKER,
    [
      'build',
      '-q',
      '--label',
      'berth-test=1',
      '--label',
      `berth-test-run=${RUN}`,
      '--build-arg',
      `VERSION=${options.version}`,
      '--build-arg',
      `HEALTHY=${options.healthy === false ? 0 : 1}`,
      '--build-arg',
      `START_DELAY=${options.startDelay ?? 0}`,
      '--build-arg',
      `STOP_DELAY=${options.stopDelay ?? 0}`,
      '--build-arg',
      `UNHEALTHY_AFTER=${options.unhealthyAfter ?? ''}`,
      '--build-arg',
      `ERROR_PERCENT=${options.errorPercent ?? 0}`,
      '--build-arg',
      `REFUSE_HOST=${options.refuseHost ?? ''}`,
      '-t',
      tag,
      HELLO,
    ],
    { env: { ...process.env, DOCKER_BUILDKIT: '1' }, stdio: 'pipe' },
  );
  return tag;
}

export function pushImage(tag: string): void {
  execFileSync(DOCKER, ['push', tag], { stdio: 'pipe' });
}

export function removeImages(...tags: string[]): void {
  for (const tag of tags) {
    try {
      execFileSync(DOCKER, ['rmi', '-f', tag], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
}

export function imageExists(ref: string): boolean {
  try {
    execFileSync(DOCKER, ['image', 'inspect', ref], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
