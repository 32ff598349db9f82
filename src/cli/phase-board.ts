// The phases of one deployment as its events report them: each phase (and each stack
// service's phase) once, in the order it first appeared, with its latest state. Events may
// repeat after a reconnect; the board keeps states, so a repeat changes nothing.
import type { Schemas } from '../client/berth-client.js';

export type PhaseState = Schemas['DeploymentPhaseEvent'];

export const isFinished = (p: PhaseState) => p.outcome !== 'running';

export function phaseKey(p: { phase: string; service: string | null }): string {
  return p.service ? `${p.service}/${p.phase}` : p.phase;
}

/** Milliseconds the phase took, or has taken so far. */
export function phaseMs(p: PhaseState, now = Date.now()): number {
  return Math.max(0, (p.endedAt ? Date.parse(p.endedAt) : now) - Date.parse(p.startedAt));
}

export function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : ms < 120_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export class PhaseBoard {
  private readonly phases = new Map<string, PhaseState>();

  /** Records a phase event; says whether it started a phase, finished one, or changed nothing. */
  update(p: PhaseState): 'started' | 'finished' | 'changed' | 'same' {
    const key = phaseKey(p);
    const before = this.phases.get(key);
    this.phases.set(key, p);
    if (before && before.outcome === p.outcome && before.endedAt === p.endedAt && before.message === p.message) return 'same';
    if (isFinished(p) && (!before || !isFinished(before))) return 'finished';
    return before ? 'changed' : 'started';
  }

  /** The deployment's own phases, in order. */
  own(): PhaseState[] {
    return [...this.phases.values()].filter((p) => p.service === null);
  }

  /** Each stack service with its phases, in the order the services first appeared. */
  services(): [string, PhaseState[]][] {
    const by = new Map<string, PhaseState[]>();
    for (const p of this.phases.values()) if (p.service !== null) by.set(p.service, [...(by.get(p.service) ?? []), p]);
    return [...by];
  }

  all(): PhaseState[] {
    return [...this.phases.values()];
  }
}

/** The phase a failed deployment failed in (a service's as service/phase), if one did. */
export function failedPhase(d: Pick<Schemas['Deployment'], 'phases' | 'services'>): string | null {
  const own = [...d.phases].reverse().find((p) => p.outcome === 'failed');
  const service = d.services.flatMap((s) => s.phases.filter((p) => p.outcome === 'failed').map((p) => `${s.service}/${p.phase}`)).pop();
  return service ?? own?.phase ?? null;
}
