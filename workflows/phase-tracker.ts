// Keeps a deployment's phases in workflow memory (for the progress query) and produces the
// writes the store records. Times are workflow time, so replays agree.
import type { PhaseName, PhaseOutcome, PhaseRecord, PhaseWrite } from '../src/domain/phases.js';

export class PhaseTracker {
  private readonly records: PhaseRecord[] = [];
  private current: PhaseName | null = null;

  snapshot(): PhaseRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  get active(): PhaseName | null {
    return this.current;
  }

  start(phase: PhaseName): PhaseWrite {
    const at = Date.now();
    this.records.push({ phase, startedAt: new Date(at).toISOString(), endedAt: null, outcome: 'running', message: null });
    this.current = phase;
    return { phase, outcome: 'running', at };
  }

  /** Ends the running phase; returns nothing when none runs. */
  end(outcome: PhaseOutcome, message: string | null = null): PhaseWrite[] {
    if (!this.current) return [];
    const phase = this.current;
    const record = this.records.findLast((r) => r.phase === phase);
    const at = Date.now();
    if (record) Object.assign(record, { endedAt: new Date(at).toISOString(), outcome, message });
    this.current = null;
    return [{ phase, outcome, message, at }];
  }

  /** Ends the running phase successfully and starts the next one. */
  next(phase: PhaseName, message: string | null = null): PhaseWrite[] {
    return [...this.end('succeeded', message), this.start(phase)];
  }

  /** Takes in changes an activity recorded itself (it knows their times). */
  apply(writes: PhaseWrite[]): void {
    for (const w of writes) {
      const iso = new Date(w.at).toISOString();
      if (w.outcome === 'running') {
        this.records.push({ phase: w.phase, startedAt: iso, endedAt: null, outcome: 'running', message: null });
        this.current = w.phase;
        continue;
      }
      const record = this.records.findLast((r) => r.phase === w.phase);
      // A phase that ended without having run (skipped) gets its record here.
      if (record) Object.assign(record, { endedAt: iso, outcome: w.outcome, message: w.message ?? null });
      else this.records.push({ phase: w.phase, startedAt: iso, endedAt: iso, outcome: w.outcome, message: w.message ?? null });
      if (this.current === w.phase) this.current = null;
    }
  }

  /** Records a phase that did not need to run. */
  skip(phase: PhaseName, message: string): PhaseWrite[] {
    const writes = this.end('succeeded');
    const at = Date.now();
    const iso = new Date(at).toISOString();
    this.records.push({ phase, startedAt: iso, endedAt: iso, outcome: 'skipped', message });
    return [...writes, { phase, outcome: 'skipped', message, at }];
  }
}
