// References resolve for every kind that runs with variables, at deploy time: a git app built
// from a local repository, and a stack on Swarm (its compose file interpolated with resolved
// values). A reference that does not resolve is refused before anything is queued, for each.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { snapshot } from '../support/snapshot.js';
import { waitForDeployment } from '../support/wait.js';

const DOCKERFILE = `FROM berth-local/busybox:1
RUN mkdir -p /www && echo ok > /www/healthz
COPY version /www/index.html
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`;
const COMPOSE = `
services:
  web:
    image: \${IMG:?set IMG}
    environment:
      GREETING: \${GREETING:?set GREETING}
    x-berth: { port: 8080, path: /healthz }
`;

let berth: TestBerth;
let repo: LocalRepo;

async function ok(method: string, path: string, body?: unknown) {
  const res = await berth.api(method, path, body);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res;
}

async function refused(path: string, body: unknown, key: string) {
  const before = await snapshot(berth);
  const res = await berth.api('POST', path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.message).toContain(key);
  expect(await snapshot(berth)).toEqual(before);
}

beforeAll(async () => {
  repo = createLocalRepo({ dockerfile: DOCKERFILE });
  repo.commit('v1');
  berth = await startBerth();
  await ok('POST', '/api/v1/projects', { name: 'kinds' });
  await ok('PUT', '/api/v1/projects/kinds/variables', { variables: { HELLO: 'hi', IMAGE: 'berth-local/hello:v1' } });
});

afterAll(async () => {
  await berth?.close();
  repo?.remove();
});

describe('references at deploy time, every kind', () => {
  test('git: built, then run with references resolved; an unresolved one refused first', async () => {
    await ok('POST', '/api/v1/apps', { project: 'kinds', name: 'vgit', kind: 'git', port: 8080, healthCheck: { path: '/healthz', intervalMs: 200 }, git: { url: repo.url } });
    const env = await ok('POST', '/api/v1/apps/vgit/environments', { name: 'prod', drainSeconds: 0 });
    await ok('PUT', '/api/v1/apps/vgit/environments/prod/variables', { variables: { MSG: '${{ project.HELLO }} from ${{ berth.app }}#${{ berth.release }}' } });
    await refused('/api/v1/apps/vgit/environments/prod/deployments', { variables: { BAD: '${{ environment.MISSING }}' } }, 'BAD');
    const res = await ok('POST', '/api/v1/apps/vgit/environments/prod/deployments', { variables: { EXTRA: '${{ environment.MSG }}!' } });
    const d = await waitForDeployment(berth, res.body.deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const [container] = (await berth.containers(env.body.id)).filter((c) => c.Labels['berth.deployment'] === res.body.deploymentId);
    const vars = (await berth.docker.getContainer(container?.Id as string).inspect()).Config.Env;
    expect(vars).toEqual(expect.arrayContaining(['MSG=hi from vgit#1', 'EXTRA=hi from vgit#1!']));
  });

  test('stack: the compose file is interpolated with resolved values; an unresolved one refused first', async () => {
    await ok('POST', '/api/v1/apps', { project: 'kinds', name: 'vstack', kind: 'stack', compose: COMPOSE });
    await ok('POST', '/api/v1/apps/vstack/environments', { name: 'prod', drainSeconds: 0 });
    await ok('PUT', '/api/v1/apps/vstack/environments/prod/variables', { variables: { IMG: '${{ project.IMAGE }}', GREETING: '${{ berth.environment }}/${{ berth.deployment }}' } });
    await refused('/api/v1/apps/vstack/environments/prod/deployments', { variables: { GREETING: '${{ project.NOPE }}' } }, 'GREETING');
    const res = await ok('POST', '/api/v1/apps/vstack/environments/prod/deployments', {});
    const d = await waitForDeployment(berth, res.body.deploymentId, 180_000);
    expect(d.status, d.message).toBe('succeeded');
    const services = await berth.docker.listServices({ filters: { label: [`berth.instance=${berth.config.instance}`] } });
    const envs = services.flatMap((s) => (s.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)?.ContainerSpec?.Env ?? []);
    expect(envs).toContain(`GREETING=prod/${res.body.deploymentId}`);
    expect(envs.some((e) => e.includes('${{'))).toBe(false);
    // IMG took the project's image by reference: left as text, the image would not resolve and the deploy would fail.
    expect(services).toHaveLength(1);
  });
});
