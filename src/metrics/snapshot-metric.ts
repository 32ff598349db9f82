// A Prometheus family whose values are read at scrape time from figures Berth already keeps
// (a cached database aggregate, a plain counter object), so the registry holds no second copy
// that could drift from them. prom-client's own Counter/Gauge cannot be *set* to a counter's
// value, hence this small adapter of its metric interface.
import type { Metric, Registry } from 'prom-client';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  /** For histograms: the series name (`…_bucket`, `…_sum`, `…_count`). */
  metricName?: string;
}

export function registerSnapshot(registry: Registry, family: { name: string; help: string; type: MetricKind; samples: () => Promise<Sample[]> | Sample[] }): void {
  const metric = {
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: 'sum',
    async get() {
      return { name: family.name, help: family.help, type: family.type, aggregator: 'sum', values: await family.samples() };
    },
  };
  registry.registerMetric(metric as unknown as Metric);
}

/** Cumulative `le` buckets, sum and count, from per-bucket counts as a SQL aggregate gives them. */
export function histogramSamples(name: string, bounds: readonly number[], rows: { labels: Record<string, string>; buckets: number[]; sum: number; count: number }[]): Sample[] {
  return rows.flatMap((r) => [
    ...bounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...r.labels, le }, value: r.buckets[i] ?? 0 })),
    { metricName: `${name}_bucket`, labels: { ...r.labels, le: '+Inf' }, value: r.count },
    { metricName: `${name}_sum`, labels: r.labels, value: r.sum },
    { metricName: `${name}_count`, labels: r.labels, value: r.count },
  ]);
}
