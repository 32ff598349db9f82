// Waiting for a deployment to end while showing it, then the exit code its outcome means.
// The stream survives dropped connections (src/client/deployment-events.ts); Ctrl-C asks
// whether to cancel the deployment or only stop watching (interrupt-choice.ts).
import { unwrap, type BerthClient } from '../client/berth-client.js';
import { followDeployment } from '../client/deployment-events.js';
import type { DeployView, WatchInfo } from './deploy-views.js';
import { describeError, EXIT, exitForStatus, type ExitCode } from './exit-codes.js';
import { askOnInterrupt } from './interrupt-choice.js';

/**
 * Call it right after the deployment id is printed: Ctrl-C is handled from its first
 * (synchronous) step on, and `url` (where the environment answers) is awaited after that.
 */
export async function watchDeployment(client: BerthClient, view: DeployView, base: Omit<WatchInfo, 'url'>, url: () => Promise<string | null>): Promise<ExitCode> {
  const info: WatchInfo = { ...base, url: null };
  const stop = new AbortController();
  let asking = false;
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const onInterrupt = async () => {
    if (asking) return;
    if (!interactive) {
      view.note(`stopped watching; ${info.deploymentId} goes on (berth logs -f ${info.deploymentId})`);
      stop.abort('detached');
      return;
    }
    asking = true;
    view.pause();
    const choice = await askOnInterrupt(info.deploymentId);
    asking = false;
    if (choice === 'detach') return stop.abort('detached');
    view.resume();
    if (choice === 'cancel') {
      try {
        const res = await unwrap(client.POST('/deployments/{id}/cancel', { params: { path: { id: info.deploymentId } } }));
        view.note(`cancel requested (${res.status})`);
      } catch (err) {
        view.note(`could not cancel: ${describeError(err)}`);
      }
    }
  };
  process.on('SIGINT', onInterrupt);
  try {
    info.url = await url();
    if (stop.signal.aborted) return EXIT.interrupted;
    view.start(info);
    await followDeployment(client, {
      deploymentId: info.deploymentId,
      signal: stop.signal,
      onEvent: (e) => view.event(e),
      onConnection: (state, reason) => view.connection(state, reason),
    });
  } catch (err) {
    if (stop.signal.aborted) {
      view.pause();
      return EXIT.interrupted;
    }
    view.pause();
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  const final = await unwrap(client.GET('/deployments/{id}', { params: { path: { id: info.deploymentId } } }));
  view.finish(final);
  return exitForStatus(final.status);
}
