// The Temporal CLI's dev server: the embedded default for `berth dev` (SQLite file in the data
// directory) and the real server the integration tests use (in memory, free ports).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { startProcess, waitUntilReady, type Supervised } from './child-process.js';

/**
 * Measured on a 2-core machine: with the defaults each activity costs ~100 ms of task polling
 * in the history service; with these, 8 activities in a row take 0.15 s instead of 0.85 s.
 */
export const TEMPORAL_DEV_TUNING = [
  'history.transferProcessorMaxPollRPS=1000',
  'history.timerProcessorMaxPollRPS=1000',
  'system.enableActivityEagerExecution=true',
];

export interface TemporalDevServerOptions {
  binary: string;
  ip?: string;
  port: number;
  /** null: no Web UI. */
  uiPort: number | null;
  /** SQLite file; omitted: in memory. */
  dbFile?: string;
  /** Namespaces to create besides "default". */
  namespaces?: string[];
  logFile: string;
  /** Where the running server's process group is recorded (see leftover-process.ts). */
  pidFile?: string;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  process: Supervised;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-ip', ip);
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  for (const ns of options.namespaces ?? []) args.push('--namespace', ns);
  for (const value of TEMPORAL_DEV_TUNING) args.push('--dynamic-config-value', value);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  const proc = startProcess('temporal', options.binary, args, options.logFile, { pidFile: options.pidFile });
  const address = `${ip}:${options.port}`;
  await waitUntilReady(proc, () => temporalAnswers(address), 60_000);
  return {
    address,
    uiUrl: options.uiPort === null ? null : `http://${ip}:${options.uiPort}`,
    process: proc,
    stop: () => proc.stop(),
  };
}

/** True when the frontend answers a health check. */
export async function temporalAnswers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const res = await connection.healthService.check({});
    return res.status === 1; // SERVING
  } finally {
    await connection.close();
  }
}
