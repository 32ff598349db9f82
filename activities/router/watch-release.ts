// The post-switch watch (src/domain/post-switch-watch.ts) as one heartbeating activity: for the
// watch's seconds it probes every replica of the new release at its health path, and reads
// Traefik's per-service metrics for the environment's service — which, since the switch, leads
// only to the new release — against a baseline taken at the start. When Traefik's metrics are
// not reachable it judges by its own probes' answers and latencies instead, and says so.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { describeFigures, watchVerdict, type WatchFigures, type WatchSettings } from '../../src/domain/post-switch-watch.js';
import { routeName } from '../../src/domain/route.js';
import { probeHttp } from '../../src/http-probe.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordReport } from '../store/deployments.js';
import { countersSince, p95Ms, readServiceCounters, sumCounters, type ServiceCounters } from './traefik-metrics.js';

/** Time between two rounds of probes and metric reads. */
export const WATCH_TICK_MS = 500;

/** Where a probe goes when not to a server directly: an entrypoint, with the Host and the header the answer must carry. */
export interface WatchTarget {
  url: string;
  host: string;
  /** Header (lower case) and value every passing answer carries, e.g. a static site's release. */
  header?: [string, string] | undefined;
  /** Its own health path (a stack's services each have theirs); default: the check's. */
  path?: string | undefined;
}

export interface WatchInput {
  report: PhaseReport;
  environmentId: string;
  servers: string[];
  /** Probes through these instead of the servers (a static site's host names through Traefik). */
  targets?: WatchTarget[] | undefined;
  /** Route keys whose Traefik services the metrics are read for, summed (a stack's exposed services); default: the environment's. */
  routeKeys?: string[] | undefined;
  /**
   * Failures in a row are counted per target (a stack's services fail on their own: one's
   * answers must not reset another's streak); default: across all targets of a round.
   */
  streakPerTarget?: boolean | undefined;
  check: { path: string; expectedStatus: number; timeoutMs: number };
  watch: WatchSettings;
}

export interface Watched {
  /** Why the release must go, or null when it held for the whole watch. */
  verdict: string | null;
  /** Nothing to go back to (the switch replaced no route): not watched. */
  skipped: boolean;
  figures: WatchFigures | null;
  summary: string;
  phases: PhaseWrite[];
}

export function createWatchRelease(deps: { db: Db; apiUrl: string }) {
  return async function watchRelease(input: WatchInput): Promise<Watched> {
    await recordReport(deps.db, input.report);
    return withHeartbeat(async (signal) => {
      const services = (input.routeKeys ?? [input.environmentId]).map((key) => `${routeName(key)}@file`);
      const read = async (): Promise<ServiceCounters | null> => {
        const each = await Promise.all(services.map((service) => readServiceCounters(deps.apiUrl, service, signal)));
        return each.every((c) => c !== null) ? sumCounters(each as ServiceCounters[]) : null;
      };
      const baseline = await read();
      const probeLatencies: number[] = [];
      const figures: WatchFigures = { source: baseline ? 'traefik' : 'probes', requests: 0, errors: 0, p95Ms: null, probes: 0, failedProbes: 0, failingInARow: 0, lastProbeFailure: null };
      const deadline = Date.now() + input.watch.seconds * 1000;
      let verdict: string | null = null;
      const streaks: number[] = [];
      while (Date.now() < deadline) {
        const targets: WatchTarget[] = input.targets ?? input.servers.map((url) => ({ url, host: '' }));
        const answers = await Promise.all(
          targets.map(async (t) => {
            const a = await probeHttp(`${t.url}${t.path ?? input.check.path}`, { ...(t.host ? { host: t.host } : {}), timeoutMs: input.check.timeoutMs, expectedStatus: input.check.expectedStatus, signal });
            // A target with a path of its own (a stack's service) names its host name too.
            const path = t.path ? `${t.host}${t.path}` : input.check.path;
            // An answer from anything but the watched release is a failed probe.
            if (a.ok && t.header && a.headers[t.header[0]] !== t.header[1]) return { ...a, path, ok: false, reason: `answered by ${a.headers[t.header[0]] ?? 'no release'}, not ${t.header[1]}` };
            return { ...a, path };
          }),
        );
        answers.forEach((a, i) => {
          figures.probes++;
          probeLatencies.push(a.ms);
          if (input.streakPerTarget) {
            streaks[i] = a.ok ? 0 : (streaks[i] ?? 0) + 1;
            figures.failingInARow = Math.max(0, ...streaks);
          } else if (a.ok) figures.failingInARow = 0;
          else figures.failingInARow++;
          if (!a.ok) Object.assign(figures, { failedProbes: figures.failedProbes + 1, lastProbeFailure: `${a.path} ${a.reason}` });
        });
        const now: ServiceCounters | null = baseline ? await read() : null;
        if (baseline && now) {
          const since = countersSince(now, baseline);
          Object.assign(figures, { requests: since.requests, errors: since.errors, p95Ms: p95Ms(since) });
        } else if (!baseline) {
          Object.assign(figures, { requests: figures.probes, errors: figures.errors + answers.filter((a) => (a.status ?? 0) >= 500).length, p95Ms: percentile(probeLatencies, 0.95) });
        }
        verdict = watchVerdict(figures, input.watch);
        if (verdict) break;
        await sleep(Math.min(WATCH_TICK_MS, Math.max(0, deadline - Date.now())), undefined, { signal });
      }
      const summary = describeFigures(figures);
      const phases: PhaseWrite[] = [{ phase: 'watch', outcome: verdict ? 'failed' : 'succeeded', message: verdict ? `${verdict}; ${summary}` : summary, at: Date.now() }];
      await recordReport(deps.db, { deploymentId: input.report.deploymentId, phases });
      return { verdict, skipped: false, figures, summary, phases };
    });
  };
}

function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}
