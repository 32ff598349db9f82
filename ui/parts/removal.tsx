// Removing an environment or a whole app, and tearing down a stack's services: each button says
// what it will remove and asks first; the API's refusal (a deploy in flight, an environment
// others inherit from, a stack still running) is shown as it gave it.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap } from '../api.js';
import { navigate } from '../router.js';
import { ErrorNote } from './layout.js';

export function RemoveEnvironment(props: { app: string; env: string; stack: boolean; onRemoved(): void }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const path = { params: { path: { app: props.app, env: props.env } } };
  const remove = async () => {
    if (!confirm(`Remove environment ${props.env} of ${props.app}? Its containers and route go now; its releases, deployments and variables are deleted. This cannot be undone.`)) return;
    try {
      await unwrap(api.DELETE('/apps/{app}/environments/{env}', { params: { ...path.params, query: { confirm: props.env } } }));
      props.onRemoved();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const teardown = async () => {
    if (!confirm(`Tear down the stack of ${props.env}? Its services, networks, secrets and routes are removed; the environment and its releases stay.`)) return;
    try {
      const done = await unwrap(api.DELETE('/apps/{app}/environments/{env}/stack', path));
      setNote('Teardown queued.');
      navigate(`/deployments/${done.deploymentId}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div class="danger-zone">
      {props.stack && (
        <button type="button" class="danger" onClick={teardown}>
          Tear down the stack of {props.env}
        </button>
      )}{' '}
      <button type="button" class="danger" onClick={remove}>
        Remove environment {props.env}
      </button>
      {note && <span role="status">{note}</span>}
      <ErrorNote error={error} />
    </div>
  );
}

export function RemoveApp(props: { app: string; environments: string[] }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    const envs = props.environments.length ? ` and its environments ${props.environments.join(', ')}` : '';
    if (!confirm(`Remove app ${props.app}${envs}? Everything it runs is stopped and removed, with its releases, deployments, rules and variables. This cannot be undone.`)) return;
    try {
      await unwrap(api.DELETE('/apps/{app}', { params: { path: { app: props.app }, query: { confirm: props.app } } }));
      navigate('/');
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section class="card danger-zone" aria-labelledby="remove-app">
      <h2 id="remove-app">Remove this app</h2>
      <button type="button" class="danger" onClick={remove}>
        Remove app {props.app}
      </button>
      <ErrorNote error={error} />
    </section>
  );
}
