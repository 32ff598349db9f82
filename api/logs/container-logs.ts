// An environment's app logs, read from the Docker engine's own logs of its running containers
// (every replica; a stack's service tasks), never from a store of Berth's: what `docker logs`
// shows, demultiplexed into lines and labelled with the replica or service they came from.
// Read only: the API changes nothing in Docker.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { LABEL, labelFilter, replicaOf } from '../../src/domain/labels.js';
import { LogDemuxer, type RawLine } from '../../src/domain/log-frames.js';

export interface LogLine extends RawLine {
  replica: number | null;
  service: string | null;
  /** Short container id. */
  container: string;
}

export interface LogSource {
  id: string;
  replica: number | null;
  service: string | null;
  tty: boolean;
}

export interface LogSelection {
  replica?: number | undefined;
  service?: string | undefined;
}

/** Lines a filtered range query reads per container at most, so a filter over a huge log stays bounded. */
export const MAX_SCANNED_LINES = 20_000;

/** The environment's running containers, narrowed to a replica or a service. */
export async function logSources(docker: Docker, instance: string, environmentId: string, pick: LogSelection): Promise<LogSource[]> {
  const listed = await docker.listContainers({ filters: { label: labelFilter(instance, { [LABEL.environment]: environmentId }), status: ['running'] } });
  const sources: LogSource[] = [];
  for (const c of listed) {
    const source = { id: c.Id, replica: replicaOf(c.Labels), service: c.Labels[LABEL.service] ?? null, tty: false };
    if (pick.replica !== undefined && source.replica !== pick.replica) continue;
    if (pick.service !== undefined && source.service !== pick.service) continue;
    const inspected = await docker.getContainer(c.Id).inspect().catch(() => null);
    if (!inspected) continue; // gone since the list
    sources.push({ ...source, tty: inspected.Config.Tty });
  }
  return sources.sort((a, b) => (a.service ?? '').localeCompare(b.service ?? '') || (a.replica ?? 0) - (b.replica ?? 0));
}

const labelled = (s: LogSource) => (l: RawLine): LogLine => ({ ...l, replica: s.replica, service: s.service, container: s.id.slice(0, 12) });

/** Docker's time arguments: Unix seconds, fractions allowed. */
const unix = (d: Date) => (d.getTime() / 1000).toFixed(3);

/**
 * The lines of a time range across the sources, oldest first, at most `tail` of the newest that
 * pass `keep`. Each container is asked for its last `tail` lines (MAX_SCANNED_LINES when a
 * filter may drop most of them).
 */
export async function readLogRange(
  docker: Docker,
  sources: LogSource[],
  range: { since?: Date | undefined; until?: Date | undefined; tail: number; filtered: boolean },
  keep: (message: string) => boolean,
): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const perContainer = range.filtered ? MAX_SCANNED_LINES : range.tail;
  const all: LogLine[] = [];
  await Promise.all(
    sources.map(async (s) => {
      const raw = (await docker.getContainer(s.id).logs({
        follow: false,
        stdout: true,
        stderr: true,
        timestamps: true,
        tail: perContainer,
        ...(range.since ? { since: unix(range.since) } : {}),
        ...(range.until ? { until: unix(range.until) } : {}),
      } as unknown as { follow: false })) as Buffer;
      const demux = new LogDemuxer(s.tty);
      for (const line of [...demux.push(raw), ...demux.end()]) if (keep(line.message)) all.push(labelled(s)(line));
    }),
  );
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { lines: all.slice(-range.tail), truncated: all.length > range.tail };
}

/**
 * Follows the sources' output as it is written, after the last `tail` lines that pass `keep`
 * (read as a range first, so a filter does not thin out the backlog): each container is then
 * followed from its last backlog line on, and lines at or before it are skipped, so nothing is
 * lost or repeated between the two reads. Calls `onLine` for each line; resolves when every
 * container's stream has ended (the containers stopped) or `signal` aborts.
 */
export async function followLogs(
  docker: Docker,
  sources: LogSource[],
  options: { since?: Date | undefined; tail: number; filtered: boolean; signal: AbortSignal },
  keep: (message: string) => boolean,
  onLine: (line: LogLine) => Promise<void> | void,
): Promise<void> {
  const startedAt = new Date();
  const backlog = await readLogRange(docker, sources, { since: options.since, until: startedAt, tail: options.tail, filtered: options.filtered }, keep);
  for (const line of backlog.lines) await onLine(line);
  const startKey = `${startedAt.toISOString().slice(0, -1)}000000Z`;
  await Promise.all(
    sources.map(async (s) => {
      const cutoff = backlog.lines.filter((l) => l.container === s.id.slice(0, 12)).at(-1)?.at ?? startKey;
      const from = new Date(Math.min(Date.parse(cutoff), startedAt.getTime()) - 1);
      const stream = (await docker.getContainer(s.id).logs({ follow: true, stdout: true, stderr: true, timestamps: true, since: unix(from) } as unknown as { follow: true })) as unknown as Readable;
      const stop = () => stream.destroy();
      if (options.signal.aborted) stop();
      options.signal.addEventListener('abort', stop, { once: true });
      const demux = new LogDemuxer(s.tty);
      const toLine = labelled(s);
      const emit = async (lines: RawLine[]) => {
        for (const line of lines) if (line.at > cutoff && keep(line.message)) await onLine(toLine(line));
      };
      try {
        for await (const chunk of stream) await emit(demux.push(chunk as Buffer));
        await emit(demux.end());
      } catch {
        // destroyed on abort, or the engine closed it: this container's part is over
      } finally {
        options.signal.removeEventListener('abort', stop);
      }
    }),
  );
}
