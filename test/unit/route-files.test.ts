// Route files on disk: the switch's own files (temporary ones, the saved previous route) stay
// out of the directory Traefik watches, and a previous route saved where earlier versions kept
// it (beside the routes) is still found, and removed with the route.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createRouteFiles, previousRoutePath, STATE_DIR } from '../../activities/router/route-files.js';
import { routeFileName } from '../../src/domain/route.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-route-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const route = (deploymentId: string) => ({ environmentId: 'env_1', deploymentId, hosts: ['a.test'], servers: ['http://127.0.0.1:1'] });

test('a switch leaves only the route file itself in the watched directory', async () => {
  const files = createRouteFiles(dir, 'i1');
  await files.savePrevious('env_1', { deploymentId: 'dep_2', previous: route('dep_1') });
  await files.write(route('dep_2'));
  expect(readdirSync(dir).sort()).toEqual([STATE_DIR, routeFileName('i1', 'env_1')].sort());
  expect(readdirSync(join(dir, STATE_DIR))).toEqual([`${routeFileName('i1', 'env_1')}.previous`]);
  expect((await files.read('env_1'))?.deploymentId).toBe('dep_2');
  expect((await files.readPrevious('env_1'))?.previous?.deploymentId).toBe('dep_1');
});

test('a previous route kept where earlier versions kept it is read, the newer one first, and removed with the route', async () => {
  const files = createRouteFiles(dir, 'i1');
  await files.write(route('dep_2'));
  const former = join(dir, `.${routeFileName('i1', 'env_1')}.previous`);
  writeFileSync(former, JSON.stringify({ deploymentId: 'dep_2', previous: route('dep_1') }));
  expect((await files.readPrevious('env_1'))?.previous?.deploymentId).toBe('dep_1');
  await files.savePrevious('env_1', { deploymentId: 'dep_3', previous: route('dep_2') });
  expect((await files.readPrevious('env_1'))?.deploymentId).toBe('dep_3');
  // Unreadable in its new place: nothing, not the stale former copy.
  writeFileSync(previousRoutePath(dir, 'i1', 'env_1'), '{not json');
  expect(await files.readPrevious('env_1')).toBeNull();
  await files.remove('env_1');
  expect(existsSync(former)).toBe(false);
  expect(existsSync(previousRoutePath(dir, 'i1', 'env_1'))).toBe(false);
  expect(await files.read('env_1')).toBeNull();
});
