// The environment's last hour as five small charts: request rate, 5xx rate, p95 latency, CPU and
// memory, each an inline SVG line (nothing loaded from elsewhere) with the deployments that
// ended in that time as vertical markers. Each chart's name says its latest and highest value,
// for those who do not see it. Loaded when the panel opens and again on "Refresh".
import { api, unwrap, type Schemas } from '../api.js';
import { ErrorNote } from './layout.js';
import { useLoad } from './use-load.js';

type Charts = Schemas['EnvironmentCharts'];
type Point = Charts['points'][number];

const W = 240;
const H = 64;

const rate = (n: number) => `${n < 10 ? n.toFixed(2) : Math.round(n)}/s`;
const bytes = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);

const SERIES: { key: string; label: string; value(p: Point): number | null; format(n: number): string }[] = [
  { key: 'requests', label: 'Requests', value: (p) => p.requestsPerSecond, format: rate },
  { key: 'errors', label: '5xx', value: (p) => p.errorsPerSecond, format: rate },
  { key: 'p95', label: 'p95 latency', value: (p) => p.p95Ms, format: (n) => `${Math.round(n)} ms` },
  { key: 'cpu', label: 'CPU', value: (p) => p.cpuCores, format: (n) => `${(n * 100).toFixed(1)} %` },
  { key: 'memory', label: 'Memory', value: (p) => p.memoryBytes, format: bytes },
];

function Chart(props: { charts: Charts; series: (typeof SERIES)[number] }) {
  const { charts, series } = props;
  const span = Math.max(1, charts.to - charts.from);
  const x = (at: number) => ((at - charts.from) / span) * W;
  const values = charts.points.map((p) => ({ at: p.at, v: series.value(p) })).filter((p): p is { at: number; v: number } => p.v !== null);
  const max = Math.max(0, ...values.map((p) => p.v));
  const top = max > 0 ? max * 1.1 : 1;
  const y = (v: number) => H - (v / top) * H;
  const line = values.map((p) => `${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const latest = values.at(-1)?.v;
  const summary = latest === undefined ? `${series.label}: no figures yet` : `${series.label}: now ${series.format(latest)}, at most ${series.format(max)}`;
  return (
    <figure class="chart" data-series={series.key}>
      <figcaption>
        {series.label} <span class="muted">{latest === undefined ? 'no figures yet' : series.format(latest)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${summary}; ${charts.deploys.length} deploy(s) in the last hour`}>
        <rect x="0" y="0" width={W} height={H} class="chart-bg" />
        {charts.deploys.map((d) => (
          <line class={`deploy-marker ${d.status}`} x1={x(d.at)} x2={x(d.at)} y1="0" y2={H} data-deployment={d.deploymentId}>
            <title>{`deploy ${d.release !== null ? `of release ${d.release} ` : ''}${d.status} at ${new Date(d.at).toLocaleTimeString()}`}</title>
          </line>
        ))}
        {values.length > 1 && <polyline points={line} class="chart-line" />}
        {values.length === 1 && <circle cx={x(values[0]!.at)} cy={y(values[0]!.v)} r="2" class="chart-dot" />}
      </svg>
    </figure>
  );
}

export function EnvironmentCharts(props: { app: string; env: string }) {
  const charts = useLoad(() => unwrap(api.GET('/apps/{app}/environments/{env}/charts', { params: { path: { app: props.app, env: props.env }, query: { minutes: 60 } } })), [props.app, props.env]);
  return (
    <section aria-label={`Last hour of ${props.env}`} class="charts">
      <h3>Last hour</h3>
      <button type="button" class="link" onClick={() => charts.reload()}>
        Refresh the charts of {props.env}
      </button>
      <ErrorNote error={charts.error} />
      {charts.data && (
        <div class="chart-row">
          {SERIES.map((s) => (
            <Chart charts={charts.data!} series={s} />
          ))}
        </div>
      )}
    </section>
  );
}
