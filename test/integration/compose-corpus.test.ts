// Real-world compose files (test/fixtures/compose, sources in SOURCES.md) through the real API
// as a new user would hand them over: the validate-only dry run and the upload to a stack app.
// At least 90 % are accepted or refused only for safety or for content that needs the
// repository; none is a 5xx; each translation shows as a warning at its path; nothing changes.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { snapshot } from '../support/snapshot.js';

const DIR = fileURLToPath(new URL('../fixtures/compose', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
/** Compose keys whose translation must show as a warning at the service's key. */
const TRANSLATED = ['ports', 'container_name', 'links', 'stdin_open', 'tty', 'mem_limit', 'cpus', 'scale', 'logging', 'extra_hosts', 'ulimits', 'pull_policy'];

let berth: TestBerth;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  expect((await berth.api('POST', '/api/v1/projects', { name: 'p-corpus' })).status).toBe(201);
  const app = await berth.api('POST', '/api/v1/apps', { project: 'p-corpus', name: 'corpus', kind: 'stack', compose: 'services:\n  a: { image: x }\n' });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
});

afterAll(async () => {
  await berth?.close();
});

type Verdict = 'accepted' | 'safety' | 'repository' | 'other';

function verdictOf(status: number, issues: { message: string }[]): Verdict {
  if (status === 200) return 'accepted';
  if (issues.every((i) => /refused for safety/.test(i.message))) return 'safety';
  if (issues.every((i) => /refused for safety|git repository|carries no files/.test(i.message))) return 'repository';
  return 'other';
}

test(`${FILES.length} real-world compose files: ≥ 90 % accepted or refused for safety or a missing repository, never a 5xx, translations as warnings`, async () => {
  expect(FILES.length).toBeGreaterThanOrEqual(25);
  const verdicts: Record<string, Verdict> = {};
  for (const file of FILES) {
    const compose = readFileSync(`${DIR}/${file}`, 'utf8');
    const before = await snapshot(berth);
    const checked = await berth.api('POST', '/api/v1/stack/dry-run', { compose });
    expect(checked.status, `${file}: ${JSON.stringify(checked.body)}`).toBeLessThan(500);
    expect([200, 400]).toContain(checked.status);
    verdicts[file] = verdictOf(checked.status, checked.body.error?.issues ?? []);
    expect(await snapshot(berth), `${file}: the dry run changed something`).toEqual(before);

    const uploaded = await berth.api('PUT', '/api/v1/apps/corpus/compose', { compose });
    expect(uploaded.status, file).toBe(checked.status);
    if (checked.status !== 200) continue;
    expect(uploaded.body.warnings).toEqual(checked.body.warnings);
    const services = (parse(compose) as { services: Record<string, Record<string, unknown>> }).services;
    for (const [name, service] of Object.entries(services)) {
      if (Array.isArray(service.profiles)) continue;
      for (const key of TRANSLATED.filter((k) => k in service)) {
        const at = (checked.body.warnings as { path: string }[]).some((w) => w.path.startsWith(`services.${name}.${key}`));
        expect(at, `${file}: services.${name}.${key} has no warning`).toBe(true);
      }
    }
  }
  const count = (v: Verdict) => Object.values(verdicts).filter((x) => x === v).length;
  const fine = FILES.length - count('other');
  console.log(
    `compose corpus: ${FILES.length} files: ${count('accepted')} accepted, ${count('safety')} refused for safety, ${count('repository')} need their repository, ${count('other')} other (${((100 * fine) / FILES.length).toFixed(1)} %)` +
      (count('other') ? `; other: ${Object.keys(verdicts).filter((f) => verdicts[f] === 'other').join(', ')}` : ''),
  );
  expect(fine / FILES.length).toBeGreaterThanOrEqual(0.9);
});

test('the validate-only dry run needs a signed-in caller and refuses bad input with a 400', async () => {
  expect((await berth.api('POST', '/api/v1/stack/dry-run', { compose: 'services: {}' }, null)).status).toBe(401);
  for (const body of [{}, { compose: '' }, { compose: 'services:\n  a: [' }, { compose: 'services: {}', extra: 1 }, { compose: 'services: {}', variables: { 'bad name': 'x' } }]) {
    const res = await berth.api('POST', '/api/v1/stack/dry-run', body);
    expect(res.status, JSON.stringify(body)).toBe(400);
  }
  const withVariables = await berth.api('POST', '/api/v1/stack/dry-run', { compose: 'services:\n  web: { image: "hello:${TAG:?}", ports: ["8080:80"] }\n', variables: { TAG: 'v2' } });
  expect(withVariables.status).toBe(200);
  expect(withVariables.body.services.web.image).toBe('hello:v2');
  expect(withVariables.body.routes).toEqual([{ service: 'web', hosts: [], port: 80, healthPath: '/' }]);
});
