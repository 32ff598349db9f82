// The last step of a build on a build host: the image goes to the registry (BERTH_BUILD_REGISTRY)
// and the digest the registry answers with is what the placed host pulls and the release pins,
// so the host that runs it gets exactly these bytes, and a rollback pulls them again.
import type Docker from 'dockerode';
import { permanentFailure } from '../../src/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import type { DeploymentLog } from '../store/deployment-log.js';

export interface PushInput {
  deploymentId: string;
  /** The image as built here (berth-<instance>/<app>:<sha>). */
  image: string;
  /** Where it goes: <registry>/<instance>/<app>. */
  repository: string;
}

export interface Pushed {
  /** <repository>@sha256:… */
  pinned: string;
  ms: number;
}

interface PushEvent {
  status?: string;
  error?: string;
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

export function createPushImage({ docker, deploymentLog }: { docker: Docker; deploymentLog: DeploymentLog }) {
  return async function pushImage(input: PushInput): Promise<Pushed> {
    const tag = input.image.slice(input.image.lastIndexOf(':') + 1);
    const started = performance.now();
    await docker.getImage(input.image).tag({ repo: input.repository, tag });
    await deploymentLog.write(input.deploymentId, 'info', 'build', `pushing ${input.repository}:${tag}`);
    const events = await withHeartbeat(async (signal) => {
      const stream = (await docker.getImage(input.repository).push({ tag, abortSignal: signal })) as NodeJS.ReadableStream;
      return new Promise<PushEvent[]>((resolve, reject) => {
        docker.modem.followProgress(stream, (err: Error | null, output: PushEvent[]) => (err ? reject(err) : resolve(output)));
      });
    });
    // The engine reports a failed push as an event, not as an error. A registry that refuses
    // the engine will refuse it again; one that is away may be back for the next attempt.
    const failed = events.find((e) => e.error)?.error;
    if (failed && /denied|unauthorized|authentication required/i.test(failed)) throw permanentFailure('BuildFailed', `push of ${input.repository}:${tag} refused: ${failed}`);
    if (failed) throw new Error(`push of ${input.repository}:${tag} failed: ${failed}`);
    const digest = events.map((e) => e.aux?.Digest).find((d): d is string => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d));
    if (!digest) throw permanentFailure('BuildFailed', `push of ${input.repository}:${tag} reported no digest`);
    const ms = Math.round(performance.now() - started);
    const pinned = `${input.repository}@${digest}`;
    await deploymentLog.write(input.deploymentId, 'info', 'build', `pushed ${pinned} in ${ms} ms`);
    return { pinned, ms };
  };
}
