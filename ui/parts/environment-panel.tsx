// One environment on the app page: where it answers, its deploy form (image or tag, git ref, or
// a static site dropped in), and its releases, each with a rollback button.
import { useState } from 'hono/jsx/dom';
import { api, csrfToken, describeError, unwrap, type Schemas } from '../api.js';
import { navigate, Link } from '../router.js';
import type { Can } from './can.js';
import { ErrorNote } from './layout.js';
import { Domains } from './domains.js';
import { EnvironmentCharts } from './environment-charts.js';
import { RemoveEnvironment } from './removal.js';
import { EnvironmentSettings } from './settings.js';
import { archiveOf, SiteDrop } from './site-drop.js';
import type { SiteFile } from './tar-gzip.js';
import { When } from './status.js';
import { useLoad } from './use-load.js';

type App = Schemas['App'];
type Env = Schemas['Environment'];

function DeployForm(props: { app: App; env: Env }) {
  const { app, env } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<SiteFile[]>([]);
  const path = { params: { path: { app: app.name, env: env.name } } };
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      let accepted: Schemas['DeploymentAccepted'];
      if (app.kind === 'static') {
        if (files.length === 0) throw new Error('drop the site or choose its files first');
        const archive = await archiveOf(files);
        // The body is the archive itself; openapi-fetch would serialise it as JSON.
        const res = await fetch(`/api/v1/apps/${app.name}/environments/${env.name}/deployments`, {
          method: 'POST',
          headers: { 'content-type': 'application/gzip', 'x-csrf-token': csrfToken() },
          body: archive,
        });
        const body = (await res.json()) as Schemas['DeploymentAccepted'] & Schemas['Error'];
        if (!res.ok) throw new Error(body.error.issues?.length ? `${body.error.message} (${body.error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : body.error.message);
        accepted = body;
      } else if (app.kind === 'git' || (app.kind === 'stack' && app.git)) {
        const ref = value('ref');
        accepted = await unwrap(api.POST('/apps/{app}/environments/{env}/deployments', { ...path, body: ref ? { ref } : {} }));
      } else if (app.kind === 'stack') {
        accepted = await unwrap(api.POST('/apps/{app}/environments/{env}/deployments', { ...path, body: {} }));
      } else {
        const image = value('image');
        accepted = await unwrap(api.POST('/apps/{app}/environments/{env}/deployments', { ...path, body: image ? { image } : {} }));
      }
      setBusy(false);
      navigate(`/deployments/${accepted.deploymentId}`);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <form class="deploy" onSubmit={submit} aria-label={`Deploy to ${env.name}`}>
      {app.kind === 'image' && (
        <label>
          Image or tag
          <input name="image" placeholder={app.image ?? 'registry/name:tag'} />
        </label>
      )}
      {(app.kind === 'git' || (app.kind === 'stack' && app.git)) && (
        <label>
          Git ref (branch or tag; empty: the default branch)
          <input name="ref" placeholder="main" />
        </label>
      )}
      {app.kind === 'static' && <SiteDrop onFiles={setFiles} disabled={busy} />}
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        Deploy to {env.name}
      </button>
    </form>
  );
}

function Releases(props: { app: App; env: Env; can: Can }) {
  const { app, env } = props;
  const releases = useLoad(() => unwrap(api.GET('/apps/{app}/environments/{env}/releases', { params: { path: { app: app.name, env: env.name } } })), [app.name, env.name, env.liveReleaseId]);
  const [error, setError] = useState<string | null>(null);
  const rollback = async (r: Schemas['Release']) => {
    if (!confirm(`Roll ${env.name} back to release #${r.number} (${r.imageRef})? Traffic moves once it is healthy.`)) return;
    try {
      const done = await unwrap(api.POST('/apps/{app}/environments/{env}/rollback', { params: { path: { app: app.name, env: env.name } }, body: { releaseId: r.id } }));
      navigate(`/deployments/${done.deploymentId}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const items = releases.data?.items ?? [];
  return (
    <>
      <ErrorNote error={releases.error ?? error} />
      {items.length === 0 ? (
        <p class="muted">No releases yet.</p>
      ) : (
        <table class="releases">
          <caption>Releases of {env.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Image</th>
              <th scope="col">Made</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr class={r.live ? 'live' : ''}>
                <td>{r.number}</td>
                <td>
                  <code title={r.imagePinned}>{r.imageRef}</code>
                </td>
                <td>
                  <Link to={`/deployments/${r.createdByDeploymentId}`}>
                    <When at={r.createdAt} />
                  </Link>
                </td>
                <td>
                  {r.live ? (
                    <span class="badge ok">live</span>
                  ) : (
                    props.can.deploy && (
                      <button type="button" class="secondary" onClick={() => rollback(r)}>
                        Roll back to #{r.number}
                      </button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function EnvironmentPanel(props: { app: App; env: Env; can: Can; onChanged(): void }) {
  const { app, env, can } = props;
  return (
    <section class="card env" aria-labelledby={`env-${env.name}`}>
      <h2 id={`env-${env.name}`}>
        {env.name} {env.parent && <span class="muted small">inherits from {env.parent}</span>}
      </h2>
      <p>
        Answers at <a href={env.url}>{env.url}</a>
        {env.hosts.length > 1 && <span class="muted"> and {env.hosts.slice(1).join(', ')}</span>} · runs on host <span data-host>{env.placement}</span> ·{' '}
        <Link to={`/apps/${app.name}/environments/${env.name}/variables`}>Variables</Link>
      </p>
      {app.kind !== 'static' && env.liveReleaseId && <EnvironmentCharts app={app.name} env={env.name} />}
      {can.deploy && <DeployForm app={app} env={env} />}
      <Releases app={app} env={env} can={can} />
      <Domains app={app.name} env={env} manage={can.manage} onChanged={props.onChanged} />
      {can.manage && <EnvironmentSettings app={app.name} env={env} onSaved={props.onChanged} />}
      {can.manage && <RemoveEnvironment app={app.name} env={env.name} stack={app.kind === 'stack'} onRemoved={props.onChanged} />}
    </section>
  );
}
