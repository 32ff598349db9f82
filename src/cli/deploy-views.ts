// How a watched deployment is shown: live on a terminal, as plain lines elsewhere, as NDJSON
// with --output json. Each view gets the same calls from watch-deployment.ts.
import type { Schemas } from '../client/berth-client.js';
import type { DeploymentEvent } from '../client/deployment-events.js';
import { outcomeLine } from './deployment-outcome.js';
import { exitForStatus } from './exit-codes.js';
import type { Output } from './output.js';
import { failedPhase, formatMs, isFinished, phaseKey, phaseMs, PhaseBoard, type PhaseState } from './phase-board.js';
import { TerminalView } from './terminal-view.js';

export interface WatchInfo {
  deploymentId: string;
  /** What is being deployed, for the heading: "life → prod". */
  title: string;
  /** Where the environment answers once live. */
  url: string | null;
  temporalUrl: string | null;
}

export interface DeployView {
  start(info: WatchInfo): void;
  event(event: DeploymentEvent): void;
  connection(state: 'lost' | 'restored', reason?: string): void;
  /** Stop drawing while the Ctrl-C question is asked; then go on. */
  pause(): void;
  resume(): void;
  note(text: string): void;
  finish(final: Schemas['Deployment']): void;
}

function phaseLine(p: PhaseState): string {
  const key = phaseKey(p);
  if (!isFinished(p)) return `${key}: running`;
  return `${key}: ${p.outcome} in ${formatMs(phaseMs(p))}${p.message ? `: ${p.message}` : ''}`;
}

/** Lines on stderr: a phase when it starts and when it ends; warnings and errors of the log. */
export class PlainView implements DeployView {
  private readonly board = new PhaseBoard();
  private info: WatchInfo | null = null;
  constructor(private readonly showLogs: boolean) {}
  start(info: WatchInfo) {
    this.info = info;
    this.note(`deploying ${info.title} (${info.deploymentId})`);
  }
  event(e: DeploymentEvent) {
    if (e.event === 'phase') {
      const change = this.board.update(e.data);
      if (change === 'started' || change === 'finished') this.note(phaseLine(e.data));
    } else if (e.event === 'log' && (this.showLogs || e.data.level === 'warn' || e.data.level === 'error')) {
      this.note(`  ${e.data.phase ? `[${e.data.phase}] ` : ''}${e.data.message}`);
    }
  }
  connection(state: 'lost' | 'restored', reason?: string) {
    this.note(state === 'lost' ? `connection to Berth lost (${reason}); reconnecting…` : 'reconnected');
  }
  pause() {}
  resume() {}
  note(text: string) {
    process.stderr.write(`${text}\n`);
  }
  finish(d: Schemas['Deployment']) {
    for (const p of finalPhases(d)) if (this.board.update(p) === 'finished') this.note(phaseLine(p));
    this.note(outcomeLine(d, this.info?.url ?? null));
  }
}

/** Every phase of the final record, as phase events. */
function finalPhases(d: Schemas['Deployment']): PhaseState[] {
  return [...d.phases.map((p) => ({ ...p, service: null })), ...d.services.flatMap((s) => s.phases.map((p) => ({ ...p, service: s.service })))];
}

/** NDJSON on stdout: accepted, one `phase` per phase when it ends, `log` lines, `connection`, then `end`. */
export class JsonView implements DeployView {
  private readonly board = new PhaseBoard();
  constructor(private readonly out: Output) {}
  private emit(value: Record<string, unknown>) {
    this.out.line(JSON.stringify(value));
  }
  start() {}
  event(e: DeploymentEvent) {
    if (e.event === 'phase') {
      if (this.board.update(e.data) === 'finished') this.emitPhase(e.data);
    } else if (e.event === 'log') {
      this.emit({ event: 'log', ...e.data });
    }
  }
  private emitPhase(p: PhaseState) {
    this.emit({ event: 'phase', phase: p.phase, service: p.service, outcome: p.outcome, startedAt: p.startedAt, endedAt: p.endedAt, durationMs: phaseMs(p), message: p.message });
  }
  connection(state: 'lost' | 'restored', reason?: string) {
    this.emit({ event: 'connection', state, ...(reason ? { reason } : {}) });
  }
  pause() {}
  resume() {}
  note(text: string) {
    process.stderr.write(`${text}\n`);
  }
  finish(d: Schemas['Deployment']) {
    for (const p of finalPhases(d)) if (this.board.update(p) === 'finished') this.emitPhase(p);
    this.emit({
      event: 'end',
      deploymentId: d.id,
      status: d.status,
      message: d.message,
      errorType: d.errorType,
      failedPhase: d.status === 'failed' ? failedPhase(d) : null,
      supersededBy: d.supersededBy,
      releaseId: d.releaseId,
      exitCode: exitForStatus(d.status),
    });
  }
}

export function chooseView(out: Output, showLogs: boolean): DeployView {
  if (out.format === 'json') return new JsonView(out);
  return out.stderrTty ? new TerminalView(showLogs) : new PlainView(showLogs);
}
