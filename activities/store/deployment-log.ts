// Appends lines to a deployment's log (shown in the API and its live event stream).
import type { Db } from '../../db/client.js';
import { deploymentLogs } from '../../db/schema/index.js';
import type { Logger } from '../../src/logger.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface DeploymentLog {
  write(deploymentId: string, level: LogLevel, phase: string | null, message: string): Promise<void>;
}

export function createDeploymentLog(db: Db, log: Logger): DeploymentLog {
  return {
    async write(deploymentId, level, phase, message) {
      try {
        await db.insert(deploymentLogs).values({ deploymentId, level, phase, message: message.slice(0, 4000) });
      } catch (err) {
        // A lost log line must never fail a deployment.
        log.warn({ err, deploymentId }, 'deployment log write failed');
      }
    },
  };
}
