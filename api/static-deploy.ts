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
import { receiveUpload } from './archive-upload.js';
import { baseRequest } from './deploy-requests.js';

export async function submitStaticDeploy(c: Context, deps: { db: Db; config: Config; temporal: Client }, a: AppRow, env: EnvironmentRow): ReturnType<typeof submitToLane> {
  const { db, config, temporal } = deps;
  const base = await baseRequest(db, config, a, env);
  const artifact = await receiveUpload(c, config, { appName: a.name, environmentName: env.name, deploymentId: base.deploymentId });
  const staged = sitePaths(config.static.dir, a.name, env.name).staged(base.deploymentId);
  try {
    // Another host unpacks it on its own disk: the archive travels through the database.
    if (base.hostId !== config.hostId) {
      await stashUpload(db, base.deploymentId, staged);
      await rm(staged, { force: true });
    }
    return await submitToLane(temporal, { ...base, kind: 'deploy', artifact });
  } catch (err) {
    // Not queued: the staged archive must not outlive the request.
    await rm(staged, { force: true });
    await dropUpload(db, base.deploymentId);
    throw err;
  }
}
