// A watched deployment as a person sees it on a terminal: a line per phase with a spinner while
// it runs and its duration once it ends, a line per stack service under the rollout, redrawn in
// place (log-update) and left on screen when the deployment ends.
import cliSpinners from 'cli-spinners';
import { createLogUpdate } from 'log-update';
import type { Schemas } from '../client/berth-client.js';
import type { DeploymentEvent } from '../client/deployment-events.js';
import type { DeployView, WatchInfo } from './deploy-views.js';
import { MARK, outcomeLine } from './deployment-outcome.js';
import { formatMs, phaseMs, PhaseBoard, type PhaseState } from './phase-board.js';

const SPINNER = cliSpinners.dots;
const useColor = !process.env.NO_COLOR;
const paint = (code: number, text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const COLOR: Record<string, number> = { succeeded: 32, failed: 31, cancelled: 33, skipped: 2, superseded: 33 };

export class TerminalView implements DeployView {
  private readonly board = new PhaseBoard();
  private info: WatchInfo | null = null;
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  private draw = createLogUpdate(process.stderr);
  private connectionNote: string | null = null;

  constructor(private readonly showLogs: boolean) {}

  start(info: WatchInfo) {
    this.info = info;
    process.stderr.write(`Deploying ${info.title}  ${paint(2, info.deploymentId)}\n`);
    if (info.temporalUrl) process.stderr.write(`${paint(2, `  workflow: ${info.temporalUrl}`)}\n`);
    this.resume();
  }

  event(e: DeploymentEvent) {
    if (e.event === 'phase') this.board.update(e.data);
    else if (e.event === 'log' && (this.showLogs || e.data.level === 'warn' || e.data.level === 'error')) {
      this.note(paint(e.data.level === 'error' ? 31 : e.data.level === 'warn' ? 33 : 2, `  ${e.data.phase ? `[${e.data.phase}] ` : ''}${e.data.message}`));
    }
    this.render();
  }

  connection(state: 'lost' | 'restored', reason?: string) {
    this.connectionNote = state === 'lost' ? `connection to Berth lost (${reason}); reconnecting…` : null;
    if (state === 'restored') this.note(paint(2, '  reconnected'));
    this.render();
  }

  pause() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.render();
    this.draw.done();
  }

  resume() {
    this.draw = createLogUpdate(process.stderr);
    this.timer = setInterval(() => {
      this.frame++;
      this.render();
    }, SPINNER.interval);
    this.render();
  }

  /** A line above the live frame, kept on screen. */
  note(text: string) {
    this.draw.clear();
    process.stderr.write(`${text}\n`);
    this.render();
  }

  finish(d: Schemas['Deployment']) {
    for (const p of d.phases) this.board.update({ ...p, service: null });
    for (const s of d.services) for (const p of s.phases) this.board.update({ ...p, service: s.service });
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.connectionNote = null;
    this.render();
    this.draw.done();
    const line = outcomeLine(d, this.info?.url ?? null);
    process.stderr.write(`${paint(COLOR[d.status] ?? 0, line)}\n`);
  }

  private mark(p: PhaseState): string {
    if (p.outcome === 'running') return paint(36, SPINNER.frames[this.frame % SPINNER.frames.length] ?? '-');
    return paint(COLOR[p.outcome] ?? 0, MARK[p.outcome] ?? '?');
  }

  private render() {
    const services = this.board.services();
    const width = Math.max(8, ...this.board.own().map((p) => p.phase.length));
    const serviceWidth = Math.max(0, ...services.map(([s]) => s.length));
    const lines: string[] = [];
    for (const p of this.board.own()) {
      const failed = p.outcome === 'failed' && p.message ? `  ${paint(31, p.message)}` : '';
      const skipped = p.outcome === 'skipped' && p.message ? `  ${paint(2, p.message)}` : '';
      lines.push(`  ${this.mark(p)} ${p.phase.padEnd(width)} ${paint(2, formatMs(phaseMs(p)).padStart(7))}${failed}${skipped}`);
      if (p.phase === 'rollout') {
        for (const [service, phases] of services) {
          const steps = phases.map((s) => `${this.mark(s)} ${s.phase} ${paint(2, formatMs(phaseMs(s)))}`).join('  ');
          lines.push(`      ${service.padEnd(serviceWidth)}  ${steps}`);
        }
      }
    }
    if (this.connectionNote) lines.push(paint(33, `  ${this.connectionNote}`));
    this.draw(lines.join('\n'));
  }
}
