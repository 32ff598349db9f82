// How a deployment's status and a phase's outcome look: a word (never colour alone) and a class.
const TONE: Record<string, string> = {
  succeeded: 'ok',
  healthy: 'ok',
  running: 'busy',
  queued: 'busy',
  failed: 'bad',
  'rolled-back': 'bad',
  cancelled: 'muted',
  superseded: 'muted',
  skipped: 'muted',
};

export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${TONE[props.status] ?? 'muted'}`}>{props.status}</span>;
}

/** 1.234 s, 12 ms, 2 min 3 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function When(props: { at: string | null }) {
  if (!props.at) return <span class="muted">—</span>;
  const d = new Date(props.at);
  return <time datetime={props.at} title={d.toISOString()}>{d.toLocaleString()}</time>;
}
