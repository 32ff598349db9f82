// A static site's deploy request: the uploaded archive received and checked on the API's disk,
// handed to the lane with the request, and (for a site placed on another host) passed to that
// host through the database. Not queued: nothing of the upload outlives the request.
import { rm } from 'node:fs/promises';
import type { Context } from 'hono';
import type { Db } from '../db/client.js';
import type { AppRow } from '../db/queries/apps.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import { dropUpload, stashUpload } from '../db/queries/static-uploads.js';
import type { Config } from '../src/config.js';
import { sitePaths } from '../src/static/site-paths.js';
import { submitToLane } from '../src/temporal/lane-client.js';
import type { Client } from '@temporalio/client';
import { newId } from '../src/ids.js';
import { receiveUpload } from './archive-upload.js';
import { baseRequest } from './deploy-requests.js';

export async function submitStaticDeploy(c: Context, deps: { db: Db; config: Config; temporal: Client }, a: AppRow, env: EnvironmentRow): ReturnType<typeof submitToLane> {
  const { db, config, temporal } = deps;
  const deploymentId = newId('dep');
  const staged = sitePaths(config.static.dir, a.name, env.name).staged(deploymentId);
  // The environment's reads while the archive arrives (both are on the path to live); a
  // refused request (a move under way) waits for the upload to end, then removes it.
  const [base, artifact] = await Promise.allSettled([
    baseRequest(db, config, a, env, deploymentId),
    receiveUpload(c, config, { appName: a.name, environmentName: env.name, deploymentId }),
  ]);
  if (base.status === 'rejected') {
    await rm(staged, { force: true });
    throw base.reason;
  }
  if (artifact.status === 'rejected') throw artifact.reason;
  try {
    // Another host unpacks it on its own disk: the archive travels through the database.
    if (base.value.hostId !== config.hostId) {
      await stashUpload(db, deploymentId, staged);
      await rm(staged, { force: true });
    }
    return await submitToLane(temporal, { ...base.value, kind: 'deploy', artifact: artifact.value });
  } catch (err) {
    // Not queued: the staged archive must not outlive the request.
    await rm(staged, { force: true });
    await dropUpload(db, deploymentId);
    throw err;
  }
}
