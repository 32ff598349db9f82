// Projects → apps → environments: what is live (release and image digest), how the latest
// deployment ended, and what is deploying now; kept current by the overview's event stream.
import type { Schemas } from '../api.js';
import { overviewOnce } from '../parts/prefetch.js';
import { ErrorNote, Layout, Loading } from '../parts/layout.js';
import { useOverviewEvents } from '../parts/live.js';
import { CreateApp } from '../parts/create-app.js';
import { StatusBadge, When } from '../parts/status.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

type OverviewEnv = Schemas['Overview']['projects'][number]['apps'][number]['environments'][number];

function shortDigest(pinned: string): string {
  const at = pinned.indexOf('@sha256:');
  return at >= 0 ? `${pinned.slice(0, at)}@sha256:${pinned.slice(at + 8, at + 20)}…` : pinned.slice(0, 40);
}

/**
 * What reconcile last found wrong, if it was after the latest deployment ended; else that it
 * found nothing (reconcile records drift only, so "no drift found" is all it can say).
 */
function Health(props: { env: OverviewEnv }) {
  const { live, lastDrift, latest } = props.env;
  if (!live) return <span class="muted">—</span>;
  const since = Date.parse(latest?.finishedAt ?? latest?.createdAt ?? '1970-01-01');
  if (lastDrift && Date.parse(lastDrift.at) >= since) {
    return (
      <span class={lastDrift.outcome === 'failed' ? 'error' : 'warn'}>
        {lastDrift.drift} → {lastDrift.action}
        {lastDrift.outcome === 'done' ? '' : ` (${lastDrift.outcome})`} · <When at={lastDrift.at} />
      </span>
    );
  }
  return <span class="ok">no drift found</span>;
}

function EnvRow(props: { app: string; env: OverviewEnv }) {
  const { env } = props;
  const now = env.active[0];
  return (
    <tr>
      <th scope="row">{env.name}</th>
      <td>
        {env.live ? (
          <>
            <a href={env.url}>release #{env.live.number}</a> <code title={env.live.imagePinned}>{shortDigest(env.live.imagePinned)}</code>
          </>
        ) : (
          <span class="muted">nothing live</span>
        )}
      </td>
      <td>
        {env.latest ? (
          <>
            <Link to={`/deployments/${env.latest.id}`}>
              <StatusBadge status={env.latest.status} />
            </Link>{' '}
            <span class="muted">
              {env.latest.kind} · <When at={env.latest.finishedAt ?? env.latest.createdAt} />
            </span>
          </>
        ) : (
          <span class="muted">never deployed</span>
        )}
      </td>
      <td>
        <Health env={env} />
      </td>
      <td>{now ? <Link to={`/deployments/${now.id}`}>{now.status === 'queued' ? 'queued' : 'deploying now'}</Link> : <span class="muted">idle</span>}</td>
    </tr>
  );
}

export function OverviewPage() {
  const overview = useLoad(overviewOnce, []);
  useOverviewEvents(overview.reload);
  const projects = overview.data?.projects ?? [];
  return (
    <Layout title="Overview">
      <ErrorNote error={overview.error} />
      {!overview.data && !overview.error && <Loading />}
      {overview.data && projects.length === 0 && <p>No projects yet. Make one below, then add its first app.</p>}
      {projects.map((p) => (
        <section class="project" aria-labelledby={`p-${p.name}`}>
          <h2 id={`p-${p.name}`}>{p.name}</h2>
          {p.description && <p class="muted">{p.description}</p>}
          {p.apps.length === 0 && <p class="muted">No apps in this project.</p>}
          {p.apps.map((a) => (
            <div class="card">
              <h3>
                <Link to={`/apps/${a.name}`}>{a.name}</Link> <span class="muted small">{a.kind}</span>
              </h3>
              {a.environments.length === 0 ? (
                <p class="muted">No environments.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Environment</th>
                      <th scope="col">Live</th>
                      <th scope="col">Latest deployment</th>
                      <th scope="col">Health</th>
                      <th scope="col">Now</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.environments.map((e) => (
                      <EnvRow app={a.name} env={e} />
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </section>
      ))}
      {overview.data && <CreateApp projects={projects.filter((p) => p.can.manage).map((p) => p.name)} onCreated={overview.reload} />}
    </Layout>
  );
}
