// A stack canary's header and cookie split (workflows/stack-strategies.ts through the image
// kind's route code, src/domain/route-split.ts) on the real Docker Swarm, Traefik and Temporal:
// at the first step (0 %), requests carrying the header or the cookie reach the new web, others
// the previous one, each answer naming its deployment; a promote then takes every request to it.
import { request } from 'node:http';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { sampleAnswers } from '../support/split-samples.js';
import { createStackApp, setVariables, type StackFixture } from '../support/stack-fixtures.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const services = inject('services');
const tags = { w1: 'berth-test/ssplit-web:1', w2: 'berth-test/ssplit-web:2' };
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    x-berth: { port: 8080, path: /cgi-bin/host-check }
`;
let berth: TestBerth;
let fx: StackFixture;

type State = { step: number; weight: number; paused: boolean; outcome: string };
const canaryOf = (id: string) => berth.api<State>('GET', `/api/v1/deployments/${id}/canary`);
const act = (id: string, action: string) => berth.api<State>('POST', `/api/v1/deployments/${id}/canary/${action}`);

async function deployWith(webImage: string, body: Record<string, unknown> = {}): Promise<string> {
  await setVariables(berth, fx.base, { WEB_IMAGE: webImage });
  const res = await berth.api('POST', `${fx.base}/deployments`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.deploymentId as string;
}

/** The deployment whose route answered a request (X-Berth-Deployment), with these headers. */
function answeredBy(headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`${services.traefik.entryUrl}/`, { headers: { host: fx.host, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['x-berth-deployment'] as string | undefined));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  buildHello(tags.w1, { version: 'w1' });
  buildHello(tags.w2, { version: 'w2' });
  berth = await startBerth();
  fx = await createStackApp(berth, { app: 'ssplit', compose: COMPOSE, environment: { watch: { seconds: 0 } } });
  const first = await waitForDeployment(berth, await deployWith(tags.w1), 120_000);
  expect(first.status, first.message).toBe('succeeded');
  expect((await throughTraefik(fx.host)).body.trim()).toBe('w1');
}, 180_000);

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

test('a stack canary’s header or cookie reaches the new web at 0 %, others the previous one; a promote moves everyone', async () => {
  const stable = ((await berth.api('GET', fx.base)).body as { liveDeploymentId: string }).liveDeploymentId;
  const load = startLoad({ url: services.traefik.entryUrl, host: fx.host, ratePerSecond: 40, maxRequests: 20_000, maxMs: 150_000, acceptBodies: ['w1', 'w2'] });
  const id = await deployWith(tags.w2, { canary: { steps: [50], stepSeconds: 120, header: { name: 'X-Canary', value: 'testers' }, cookie: { name: 'beta', value: 'on' } } });
  await waitFor(`canary of ${id} at its first step`, async () => {
    const res = await canaryOf(id);
    return res.status === 200 && res.body.step === 1 && res.body.weight === 0 ? res.body : undefined;
  }, 120_000, 20);
  expect((await act(id, 'pause')).body.paused).toBe(true);

  expect(Object.fromEntries(await sampleAnswers(fx.host, 40, '/', { 'X-Canary': 'testers' }))).toEqual({ w2: 40 });
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40, '/', { cookie: 'theme=dark; beta=on' }))).toEqual({ w2: 40 });
  expect(Object.fromEntries(await sampleAnswers(fx.host, 80, '/', { 'X-Canary': 'someone-else', cookie: 'beta=only' }))).toEqual({ w1: 80 });
  expect(await answeredBy({ 'X-Canary': 'testers' })).toBe(id);
  expect(await answeredBy({})).toBe(stable);

  expect((await act(id, 'promote')).body.outcome).toBe('promoting');
  const d = await waitForDeployment(berth, id, 120_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(result.failed, result.failures.join('\n')).toBe(0);
  expect(Object.fromEntries(await sampleAnswers(fx.host, 40))).toEqual({ w2: 40 });
  // The split's router went with the canary: the header means nothing any more.
  expect(Object.fromEntries(await sampleAnswers(fx.host, 20, '/', { 'X-Canary': 'testers' }))).toEqual({ w2: 20 });
  console.log(`stack split: header and cookie to the canary at 0 %; load: ${result.sent} sent, ${result.failed} failed, w1 ${result.bodies.get('w1')}, w2 ${result.bodies.get('w2') ?? 0}`);
});
