// GitLab's environments and deployments for Berth's deployments of a GitLab commit: a
// deployment "running" in environment berth/<app>/<env> when Berth starts, then success, failed
// or canceled; the environment's external URL set once it answers; a removed preview's
// environment stopped. Idempotent without stored ids: a deployment is found again by its
// environment and commit (GET …/deployments?environment=…), so a retried start makes none twice.
import type { GiteaCommitState, HostDeployment } from '../gitea/gitea-api.js';

/** GitLab's deployment states for Berth's commit states. */
const STATES: Record<GiteaCommitState, string> = { pending: 'running', success: 'success', failure: 'failed', error: 'canceled' };

type Call = (method: string, path: string, body?: unknown) => Promise<Response>;

interface Deployment {
  id: number;
  sha: string;
  status: string;
}

export function createGitLabDeployments(call: Call, project: string) {
  const base = `/projects/${encodeURIComponent(project)}`;

  async function environmentId(name: string): Promise<number | null> {
    const res = await call('GET', `${base}/environments?name=${encodeURIComponent(name)}`);
    if (!res.ok) return null;
    const list = (await res.json()) as { id?: unknown; name?: unknown }[];
    const found = list.find((e) => e.name === name);
    return typeof found?.id === 'number' ? found.id : null;
  }

  async function latestFor(environment: string, sha: string): Promise<Deployment | null> {
    const res = await call('GET', `${base}/deployments?environment=${encodeURIComponent(environment)}&order_by=id&sort=desc&per_page=20`);
    if (!res.ok) return null;
    const list = (await res.json()) as Deployment[];
    return list.find((d) => d.sha === sha) ?? null;
  }

  async function isTag(ref: string): Promise<boolean> {
    return (await call('GET', `${base}/repository/tags/${encodeURIComponent(ref)}`)).ok;
  }

  return {
    async report(d: HostDeployment): Promise<void> {
      const status = STATES[d.state];
      const found = await latestFor(d.environment, d.sha);
      if (found && found.status === status) return;
      if (found && found.status === 'running') {
        await call('PUT', `${base}/deployments/${found.id}`, { status });
      } else {
        await call('POST', `${base}/deployments`, { environment: d.environment, ref: d.ref, sha: d.sha, tag: await isTag(d.ref), status });
      }
      if (d.state === 'success' && d.environmentUrl) {
        const id = await environmentId(d.environment);
        if (id !== null) await call('PUT', `${base}/environments/${id}`, { external_url: d.environmentUrl });
      }
    },
    async stop(environment: string): Promise<void> {
      const id = await environmentId(environment);
      if (id !== null) await call('POST', `${base}/environments/${id}/stop`);
    },
  };
}
