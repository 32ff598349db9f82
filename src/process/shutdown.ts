// SIGINT/SIGTERM run the given stop once; a second signal exits at once.
import type { Logger } from '../logger.js';

/** How often a process that stops with its parent looks whether the parent is still there. */
const PARENT_CHECK_MS = 1000;

export function onShutdown(log: Logger, stop: () => Promise<void>, options: { withParent?: boolean } = {}): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals | 'parent-exited') => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ signal }, 'stopping');
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  if (options.withParent) {
    // `npm start` SIGKILLed leaves this process with nobody to stop it: when the parent is gone
    // (this process was handed to init or a subreaper), stop as on Ctrl-C.
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      handler('parent-exited');
    }, PARENT_CHECK_MS);
    timer.unref();
  }
}
