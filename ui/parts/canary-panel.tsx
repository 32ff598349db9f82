// A running canary on its deployment's page: its step, weight and analysis, and buttons for
// promote, pause/resume and abort (each an update on the deployment's workflow). Read when the
// canary phase changes (the page's event stream says so) and after each action; when its
// workflow does not answer (no worker running), the panel says so instead of vanishing.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { useLoad } from './use-load.js';

type Action = 'promote' | 'pause' | 'resume' | 'abort';
const CONFIRM: Partial<Record<Action, string>> = {
  promote: 'Promote the canary? It takes 100 % of the traffic now, skipping the steps left.',
  abort: 'Abort the canary? Traffic goes back to the stable release and this deployment ends failed.',
};

/** `version` changes whenever the canary phase does, so the panel reads the state again. */
export function CanaryPanel(props: { id: string; version: string; canAct: boolean }) {
  const state = useLoad(() => unwrap(api.GET('/deployments/{id}/canary', { params: { path: { id: props.id } } })), [props.id, props.version]);
  const [error, setError] = useState<string | null>(null);
  const s: Schemas['CanaryState'] | null = state.data;
  // 409: no canary runs now (the panel stays away); 503: its workflow did not answer (no worker?), said so.
  if (!s && state.status === 503) {
    return (
      <section class="card" aria-label="Canary" data-testid="canary">
        <p class="error">{state.error}</p>
        <p class="links">
          <button type="button" onClick={() => state.reload()}>
            Try again
          </button>
        </p>
      </section>
    );
  }
  if (!s) return null;
  const act = async (action: Action) => {
    const question = CONFIRM[action];
    if (question && !confirm(question)) return;
    try {
      await unwrap(api.POST('/deployments/{id}/canary/{action}', { params: { path: { id: props.id, action } }, body: {} }));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
    state.reload();
  };
  return (
    <section class="card" aria-label="Canary" data-testid="canary">
      <p>
        Canary step {s.step} of {s.weights.length}: <strong>{s.weight} %</strong> of the traffic on this release ({s.weights.join(' → ')} → 100 %)
        {s.paused ? ' · paused' : s.outcome === 'running' ? ` · ${Math.ceil(s.remainingMs / 1000)} s left in the step` : ` · ${s.outcome}`}
      </p>
      {s.figures && <p class="muted">Analysis: {s.figures}</p>}
      {s.reason && <p class="error">{s.reason}</p>}
      {error && <p class="error">{error}</p>}
      {props.canAct && s.outcome === 'running' && (
        <p class="links">
          <button type="button" onClick={() => act('promote')}>
            Promote to 100 %
          </button>
          <button type="button" onClick={() => act(s.paused ? 'resume' : 'pause')}>
            {s.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" class="danger" onClick={() => act('abort')}>
            Abort, back to stable
          </button>
          <button type="button" onClick={() => state.reload()}>
            Refresh
          </button>
        </p>
      )}
    </section>
  );
}
