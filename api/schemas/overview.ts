// The overview: every project the caller may read, its apps and their environments, each with
// what is live, how its latest deployment ended, and what is deploying now — one answer, so the
// web UI's first page is one request however many apps there are.
import { z } from '@hono/zod-openapi';

export const DeploymentSummary = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.string(),
    trigger: z.string(),
    message: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('DeploymentSummary');

export const OverviewEnvironment = z.object({
  name: z.string(),
  url: z.string().openapi({ description: 'Where it answers through Traefik on this machine' }),
  live: z
    .object({ releaseId: z.string(), number: z.number().int(), imageRef: z.string(), imagePinned: z.string() })
    .nullable()
    .openapi({ description: 'The release serving traffic' }),
  latest: DeploymentSummary.nullable().openapi({ description: 'The newest deployment, whatever its outcome' }),
  active: z.array(DeploymentSummary).openapi({ description: 'Deployments not yet final (queued or running), newest first' }),
  lastDrift: z
    .object({ at: z.string(), drift: z.string(), action: z.string(), outcome: z.string() })
    .nullable()
    .openapi({ description: 'The last thing reconcile found wrong here and what it did (container-exited → started, …); null: never' }),
});

export const OverviewApp = z.object({ name: z.string(), kind: z.string(), environments: z.array(OverviewEnvironment) });

export const Overview = z
  .object({
    projects: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        /** What the caller may do here, so pages offer only the actions the API would allow. */
        can: z.object({ deploy: z.boolean(), manage: z.boolean(), own: z.boolean() }).openapi({ description: 'What the caller may do in this project' }),
        apps: z.array(OverviewApp),
      }),
    ),
  })
  .openapi('Overview');
