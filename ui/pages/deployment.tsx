// One deployment, live: the phase timeline and the log arrive over its event stream (the same
// follower the CLI uses, which resumes after the last log line when the stream breaks); the end
// state says what is live now, with its image digest, not only how this attempt ended.
import { useEffect, useRef, useState } from 'hono/jsx/dom';
import { followDeployment } from '../../src/client/deployment-events.js';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { parseAnsi } from '../parts/ansi.js';
import { useCan } from '../parts/can.js';
import { CanaryPanel } from '../parts/canary-panel.js';
import { ErrorNote, Layout, Loading } from '../parts/layout.js';
import { PhaseTimeline } from '../parts/phase-timeline.js';
import { formatDuration, StatusBadge, When } from '../parts/status.js';
import { useLoad } from '../parts/use-load.js';
import { Link, onLeave } from '../router.js';

type Phase = Schemas['Phase'];
type Log = Schemas['DeploymentLogEvent'];
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'superseded', 'rolled-back']);
const ENDED: Record<string, string> = { failed: 'failed', cancelled: 'was cancelled', superseded: 'was superseded by a newer one', 'rolled-back': 'went live, then its post-switch watch rolled it back' };

/** Phases keyed by service and name: the stream sends a phase again each time it changes. */
function upsert(list: Phase[], p: Phase): Phase[] {
  const i = list.findIndex((x) => x.phase === p.phase && x.startedAt === p.startedAt);
  return i < 0 ? [...list, p] : list.map((x, j) => (j === i ? p : x));
}

function LogView(props: { lines: Log[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.lines.length]);
  return (
    <div class="log" ref={box} tabindex={0} role="log" aria-label="Deployment log" aria-live="off">
      {props.lines.map((l) => (
        <div class={`line ${l.level}`}>
          <span class="ts">{l.at.slice(11, 23)}</span> {l.phase && <span class="ph">[{l.phase}]</span>}{' '}
          {parseAnsi(l.message).map((r) => (r.classes.length ? <span class={r.classes.join(' ')}>{r.text}</span> : r.text))}
        </div>
      ))}
    </div>
  );
}

export function DeploymentPage(props: { id: string }) {
  const detail = useLoad(() => unwrap(api.GET('/deployments/{id}', { params: { path: { id: props.id } } })), [props.id]);
  const [phases, setPhases] = useState<Phase[]>([]);
  const [services, setServices] = useState<Record<string, Phase[]>>({});
  const [logs, setLogs] = useState<Log[]>([]);
  const [status, setStatus] = useState<Schemas['DeploymentStatusEvent'] | null>(null);
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<string | null>(null);
  const d = detail.data;
  const can = useCan({ app: d?.app ?? null });

  useEffect(() => {
    const stop = new AbortController();
    followDeployment(api, {
      deploymentId: props.id,
      signal: stop.signal,
      onEvent(e) {
        if (e.event === 'phase') {
          const { service, ...phase } = e.data;
          if (service) setServices((s) => ({ ...s, [service]: upsert(s[service] ?? [], phase) }));
          else setPhases((list) => upsert(list, phase));
        } // A resumed stream may repeat nothing, but a line is still kept once, by its id.
        else if (e.event === 'log') setLogs((l) => (l.some((x) => x.id === e.data.id) ? l : [...l, e.data]));
        else if (e.event === 'status') setStatus(e.data);
      },
      onConnection: (state, reason) => setConnection(state === 'lost' ? `Connection lost (${reason ?? 'unknown'}); reconnecting…` : null),
    }).then(
      () => detail.reload(),
      (err: unknown) => !stop.signal.aborted && setError(describeError(err)),
    );
    const forget = onLeave(() => stop.abort());
    return () => {
      stop.abort();
      forget();
    };
  }, [props.id]);

  const current = status?.status ?? d?.status ?? '';
  const running = current !== '' && !FINAL.has(current);
  // Running phases' bars and durations grow each second, drawn from the clock, not fetched.
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [running]);

  const cancel = async () => {
    if (!confirm('Cancel this deployment? A running one stops before its traffic switch and undoes its work; what is live stays live.')) return;
    try {
      await unwrap(api.POST('/deployments/{id}/cancel', { params: { path: { id: props.id } } }));
    } catch (err) {
      setError(describeError(err));
    }
  };

  const serviceList = Object.entries(services).map(([service, list]) => ({ service, phases: list }));
  const canaryPhase = (phases.length ? phases : (d?.phases ?? [])).findLast((p) => p.phase === 'canary');
  return (
    <Layout title={`Deployment ${props.id}`}>
      <ErrorNote error={detail.error ?? error} />
      {connection && (
        <p class="warn" role="status">
          {connection}
        </p>
      )}
      {!d && !detail.error && <Loading />}
      {d && (
        <>
          <p class="summary">
            <StatusBadge status={current} /> <span data-testid="status">{current}</span> · {d.kind} of{' '}
            <Link to={`/apps/${d.app}`}>{d.app}</Link> to <strong>{d.environment}</strong> · {d.trigger} · started <When at={d.createdAt} />
            {d.finishedAt && <> · took {formatDuration(Date.parse(d.finishedAt) - Date.parse(d.createdAt))}</>}
          </p>
          <p class="links">
            <a href={d.temporalUrl} rel="noreferrer" target="_blank">
              Workflow in the Temporal Web UI
            </a>
            {d.commit && (
              <a href={d.commit.url} rel="noreferrer" target="_blank">
                Commit {d.commit.sha.slice(0, 12)} of {d.commit.repository}
              </a>
            )}
            {running && can.deploy && (
              <button type="button" class="danger" onClick={cancel}>
                Cancel deployment
              </button>
            )}
          </p>
          {(status?.message ?? d.message) && <p class={current === 'failed' ? 'error' : 'muted'}>{status?.message ?? d.message}</p>}
          {running && canaryPhase?.outcome === 'running' && <CanaryPanel id={props.id} version={`${canaryPhase.startedAt}-${logs.length}`} canAct={can.deploy} />}
          <EndState d={d} status={current} />
          <h2>Phases</h2>
          <PhaseTimeline phases={phases.length ? phases : d.phases} services={serviceList.length ? serviceList : d.services} now={now} />
          <h2>Log</h2>
          <LogView lines={logs} />
        </>
      )}
    </Layout>
  );
}

function EndState(props: { d: Schemas['DeploymentDetail']; status: string }) {
  const { d, status } = props;
  if (!FINAL.has(status)) return null;
  const live = d.liveNow;
  const mine = d.release && live && d.release.id === live.id;
  return (
    <section class="card end" aria-label="End state" data-testid="end-state">
      {status === 'succeeded' && mine && (
        <p>
          Live now: release #{live.number}, <code>{live.imagePinned}</code>
        </p>
      )}
      {status === 'succeeded' && !mine && (
        <p>
          This deployment succeeded, but {live ? `release #${live.number} (${live.imagePinned}) has been made live since` : 'nothing is live now'}.
        </p>
      )}
      {status !== 'succeeded' && (
        <p>
          Not live: this deployment {ENDED[status] ?? status}. {live ? `Still serving release #${live.number}, ` : 'Nothing is live in this environment.'}
          {live && <code>{live.imagePinned}</code>}
        </p>
      )}
    </section>
  );
}
