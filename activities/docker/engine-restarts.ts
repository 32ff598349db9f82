// Whether the Docker engine, not the app, restarted a release's containers since a moment. A
// restart of the engine stops every container and starts those with a restart policy again when
// it comes back; the post-switch watch sees the new release stop answering, but so did the
// previous one, and going back to it would judge the release by the engine. A container's own
// restart policy counts its restarts (RestartCount); a start by the engine's restore resets that
// count to 0, so a container started again since the moment with no restart counted was started
// by the engine (or by hand), while one that crashed shows a count.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { LABEL } from '../../src/domain/labels.js';
import { withHeartbeat } from '../heartbeat.js';
import { confirmEngineHere } from './engine-away.js';

/** How long the engine's restore may take to start the release's containers again. */
const RESTORE_WAIT_MS = 15_000;
const POLL_MS = 250;

export interface EngineRestartQuery {
  deploymentId: string;
  releaseId: string;
  /** Epoch milliseconds: restarts before it are not asked about. */
  since: number;
}

export function createEngineRestarts({ docker, socketPath }: { docker: Docker; socketPath: string }) {
  return {
    /**
     * A description of what the engine's restart did to the release's containers since
     * `since`, or null when their failures are their own (a restart counted by their policy,
     * or no container touched since then). Throws EngineAwayError while the engine is away:
     * the engine guard waits for it and asks again.
     */
    async releaseRestartedByEngine(input: EngineRestartQuery): Promise<string | null> {
      return withHeartbeat(async (signal) => {
        const deadline = Date.now() + RESTORE_WAIT_MS;
        for (;;) {
          await confirmEngineHere(socketPath, 'asked whether it restarted the release');
          const listed = await docker.listContainers({ all: true, filters: { label: [`${LABEL.release}=${input.releaseId}`] } });
          const infos = await Promise.all(listed.map((c) => docker.getContainer(c.Id).inspect()));
          if (infos.length === 0 || infos.some((i) => i.RestartCount > 0)) return null;
          const touched = infos.filter((i) => Date.parse(i.State.StartedAt) > input.since || (!i.State.Running && Date.parse(i.State.FinishedAt) > input.since));
          if (touched.length === 0) return null;
          const running = touched.filter((i) => i.State.Running).length;
          if (running === touched.length || Date.now() > deadline) {
            return `the Docker engine restarted ${touched.length} of the release's ${infos.length} container(s) (${running} running again)`;
          }
          await sleep(POLL_MS, undefined, { signal });
        }
      });
    },
  };
}
