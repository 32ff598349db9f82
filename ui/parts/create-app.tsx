// Making a project (instance administrators) and an app with its first environment, from the
// overview: the newcomer's first two steps.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, withDefaults, type Schemas } from '../api.js';
import { navigate } from '../router.js';
import { ErrorNote } from './layout.js';
import { useMe } from './session.js';

const value = (form: HTMLFormElement, name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();

export function CreateApp(props: { projects: string[]; onCreated(): void }) {
  const me = useMe();
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<'image' | 'static' | 'stack' | 'git'>('image');
  const newProject = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    try {
      await unwrap(api.POST('/projects', { body: { name: value(form, 'name'), description: value(form, 'description') } }));
      form.reset();
      setError(null);
      props.onCreated();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const newApp = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = value(form, 'name');
    try {
      const port = Number(value(form, 'port') || 8080);
      const path = value(form, 'health') || '/';
      const image = value(form, 'image');
      const repository = value(form, 'repository');
      const body = {
        project: value(form, 'project'),
        name,
        kind,
        port,
        healthCheck: withDefaults<Schemas['HealthCheck']>({ path }),
        ...(kind === 'image' && image ? { image } : {}),
        ...(kind === 'stack' ? { compose: value(form, 'compose') || 'services: {}\n' } : {}),
        ...(kind === 'git' ? { git: withDefaults<Schemas['GitSource']>(repository.includes('://') ? { url: repository } : { repository }) } : {}),
      };
      await unwrap(api.POST('/apps', { body: withDefaults<Schemas['AppInput']>(body) }));
      const env = value(form, 'environment');
      if (env) await unwrap(api.POST('/apps/{app}/environments', { params: { path: { app: name } }, body: withDefaults<Schemas['EnvironmentInput']>({ name: env }) }));
      navigate(`/apps/${name}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  if (!me.user.isAdmin && props.projects.length === 0) return null;
  return (
    <section class="card" aria-labelledby="create">
      <h2 id="create">Add</h2>
      <ErrorNote error={error} />
      {me.user.isAdmin && (
        <form onSubmit={newProject} class="inline" aria-label="New project">
          <label>
            Project name
            <input name="name" required placeholder="shop" />
          </label>
          <label>
            Description
            <input name="description" />
          </label>
          <button type="submit">Create project</button>
        </form>
      )}
      {props.projects.length > 0 && (
        <form onSubmit={newApp} class="grid" aria-label="New app">
          <label>
            Project
            <select name="project">
              {props.projects.map((p) => (
                <option value={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            App name
            <input name="name" required placeholder="web" />
          </label>
          <label>
            Kind
            <select name="kind" onChange={(e: Event) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
              <option value="image">image</option>
              <option value="static">static site</option>
              <option value="stack">stack (compose)</option>
              <option value="git">git (build from a repository)</option>
            </select>
          </label>
          {kind === 'image' && (
            <label>
              Default image
              <input name="image" placeholder="registry:5000/team/web:1" />
            </label>
          )}
          {kind === 'git' && (
            <label>
              Repository (owner/name or a git URL)
              <input name="repository" required />
            </label>
          )}
          {(kind === 'image' || kind === 'git') && (
            <>
              <label>
                Port
                <input name="port" type="number" min={1} max={65535} value="8080" />
              </label>
              <label>
                Health path
                <input name="health" value="/" />
              </label>
            </>
          )}
          <label>
            First environment
            <input name="environment" value="production" />
          </label>
          <button type="submit">Create app</button>
        </form>
      )}
    </section>
  );
}
