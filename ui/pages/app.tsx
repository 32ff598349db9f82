// An app: its settings in brief, each environment (deploy form, releases with rollback), its
// recent deployments, and adding an environment.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, withDefaults, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { EnvironmentPanel } from '../parts/environment-panel.js';
import { RemoveApp } from '../parts/removal.js';
import { AppSettings } from '../parts/settings.js';
import { ErrorNote, Layout, Loading } from '../parts/layout.js';
import { useOverviewEvents } from '../parts/live.js';
import { StatusBadge, When } from '../parts/status.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

function AddEnvironment(props: { app: string; onAdded(): void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    try {
      await unwrap(api.POST('/apps/{app}/environments', { params: { path: { app: props.app } }, body: withDefaults<Schemas['EnvironmentInput']>({ name }) }));
      form.reset();
      setError(null);
      props.onAdded();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <form onSubmit={submit} class="inline" aria-label="Add an environment">
      <label>
        New environment
        <input name="name" required placeholder="staging" />
      </label>
      <button type="submit">Add environment</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function AppPage(props: { app: string }) {
  const app = useLoad(() => unwrap(api.GET('/apps/{app}', { params: { path: { app: props.app } } })), [props.app]);
  const envs = useLoad(() => unwrap(api.GET('/apps/{app}/environments', { params: { path: { app: props.app } } })), [props.app]);
  const deployments = useLoad(() => unwrap(api.GET('/deployments', { params: { query: { app: props.app, limit: 20 } } })), [props.app]);
  const can = useCan({ project: app.data?.project ?? null });
  // Another deploy, a rollback or a new environment changes what this page shows.
  useOverviewEvents(() => {
    envs.reload();
    deployments.reload();
  });
  const a = app.data;
  return (
    <Layout title={`App ${props.app}`}>
      <ErrorNote error={app.error ?? envs.error} />
      {!a && !app.error && <Loading />}
      {a && (
        <>
          <p>
            <span class="badge muted">{a.kind}</span> in project <strong>{a.project}</strong>
            {a.image && (
              <>
                {' '}
                · default image <code>{a.image}</code>
              </>
            )}
            {(a.kind === 'image' || a.kind === 'git') && (
              <>
                {' '}
                · port {a.port} · health <code>{a.healthCheck.path}</code>
              </>
            )}
            {a.git?.repository && (
              <>
                {' '}
                · repository <code>{a.git.repository}</code>
              </>
            )}
          </p>
          {can.manage && (a.kind === 'image' || a.kind === 'git') && <AppSettings app={a} onSaved={app.reload} />}
          <p class="links">
            {(a.kind === 'git' || a.git) && <Link to={`/apps/${a.name}/rules`}>Deploy rules</Link>}
            {a.kind === 'stack' && <Link to={`/apps/${a.name}/stack`}>Compose file and plan</Link>}
          </p>
          {(envs.data?.items ?? []).map((env) => (
            <EnvironmentPanel app={a} env={env} can={can} onChanged={envs.reload} />
          ))}
          {envs.data?.items.length === 0 && <p class="muted">No environments yet: add one to deploy.</p>}
          {can.manage && <AddEnvironment app={a.name} onAdded={envs.reload} />}
          <section aria-labelledby="recent">
            <h2 id="recent">Recent deployments</h2>
            <ErrorNote error={deployments.error} />
            <table>
              <thead>
                <tr>
                  <th scope="col">Deployment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {(deployments.data?.items ?? []).map((d) => (
                  <tr>
                    <td>
                      <Link to={`/deployments/${d.id}`}>{d.id}</Link>
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>{d.kind}</td>
                    <td>{d.trigger}</td>
                    <td>
                      <When at={d.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {can.manage && <RemoveApp app={a.name} environments={(envs.data?.items ?? []).map((e) => e.name)} />}
        </>
      )}
    </Layout>
  );
}
