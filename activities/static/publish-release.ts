// A plain static deploy's work on its host in one activity: prepare (receive → unpack → verify),
// then the switch. One activity dispatch instead of two between an upload and the new version
// answering (each dispatch is a workflow task and a task-queue hop, ~10–20 ms). Idempotent as
// its two halves are: a retry finds the release directory published, and `current` already its
// own, which the switch reads as "what it replaced is the live release".
import type { RouteTls } from '../../src/domain/https.js';
import type { PhaseWrite } from '../../src/domain/phases.js';
import type { PrepareInput, Prepared } from './prepare-release.js';
import type { SwitchInput, Switched } from './switch-release.js';

export interface PublishInput extends PrepareInput {
  hosts: string[];
  tls?: RouteTls | undefined;
}

export interface Published {
  /** Both halves' phase changes, the switch's start included. */
  phases: PhaseWrite[];
  switched: Switched;
}

export function createPublishRelease(steps: { prepare: (input: PrepareInput) => Promise<Prepared>; switchRelease: (input: SwitchInput) => Promise<Switched> }) {
  return async function publishStaticRelease(input: PublishInput): Promise<Published> {
    const { hosts, tls, ...prepare } = input;
    const prepared = await steps.prepare(prepare);
    const start: PhaseWrite = { phase: 'switch', outcome: 'running', at: Date.now() };
    // No restoreTo: on a retry `current` may already be this release, and the switch then
    // restores the live release it reads from the database (switch-release.ts).
    const switched = await steps.switchRelease({
      appName: input.appName,
      environmentName: input.environmentName,
      report: { deploymentId: input.deploymentId, phases: [start] },
      deploymentId: input.deploymentId,
      environmentId: input.environmentId,
      releaseId: input.releaseId,
      hosts,
      tls,
    });
    return { phases: [...prepared.phases, start, ...switched.phases], switched };
  };
}
