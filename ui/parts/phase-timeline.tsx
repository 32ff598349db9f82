// A deployment as a timeline of phases with their durations (Vercel's deployment page, Temporal's
// event history): each bar starts and ends where the phase did on the deployment's clock, and
// running phases grow until they end. Stack deployments add one row of phases per service.
import type { Schemas } from '../api.js';
import { formatDuration } from './status.js';

type Phase = Schemas['Phase'];

function span(phases: Phase[], now: number): { start: number; end: number } {
  const start = Math.min(...phases.map((p) => Date.parse(p.startedAt)));
  const end = Math.max(...phases.map((p) => (p.endedAt ? Date.parse(p.endedAt) : now)));
  return { start, end: Math.max(end, start + 1) };
}

export function PhaseRows(props: { phases: Phase[]; now: number; from: number; to: number; label?: string }) {
  const width = props.to - props.from;
  return (
    <ol class="timeline" aria-label={props.label ?? 'Phases'}>
      {props.phases.map((p) => {
        const start = Date.parse(p.startedAt);
        const end = p.endedAt ? Date.parse(p.endedAt) : props.now;
        const outcome = p.endedAt ? p.outcome : 'running';
        const left = ((start - props.from) / width) * 100;
        const size = Math.max(((end - start) / width) * 100, 0.5);
        return (
          <li class={`phase ${outcome}`} data-phase={p.phase} data-outcome={outcome}>
            <span class="name">{p.phase}</span>
            <span class="bar" aria-hidden="true">
              <span style={`left:${left.toFixed(2)}%;width:${size.toFixed(2)}%`} />
            </span>
            <span class="dur">{formatDuration(end - start)}</span>
            <span class="outcome">{outcome}</span>
            {p.message && <span class="msg">{p.message}</span>}
          </li>
        );
      })}
    </ol>
  );
}

export function PhaseTimeline(props: { phases: Phase[]; services: Schemas['ServicePhases'][]; now: number }) {
  const all = [...props.phases, ...props.services.flatMap((s) => s.phases)];
  if (all.length === 0) return <p class="muted">No phase has started yet.</p>;
  const { start, end } = span(all, props.now);
  return (
    <div>
      <PhaseRows phases={props.phases} now={props.now} from={start} to={end} label="Deployment phases" />
      {props.services.map((s) => (
        <section class="service" aria-label={`Service ${s.service}`}>
          <h3>Service {s.service}</h3>
          <PhaseRows phases={s.phases} now={props.now} from={start} to={end} label={`Phases of ${s.service}`} />
        </section>
      ))}
    </div>
  );
}
