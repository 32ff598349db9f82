// Activities that talk to GitHub (as the GitHub App) and record what deliveries did.
import type { Db } from '../../db/client.js';
import type { RequestSite } from '../../src/domain/deploy-request.js';
import type { Logger } from '../../src/logger.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { createDeploymentLog } from '../store/deployment-log.js';
import { createDeliveryStore } from './deliveries.js';
import { createFeedbackActivities } from './feedback.js';
import { createGitHubClient } from './github-client.js';
import { createPlanDelivery } from './plan-delivery.js';
import { createRefusalFeedback } from './refusal-feedback.js';
import { createHostApis } from '../git-hosts/host-apis.js';
import { createRepositorySync } from './repository-sync.js';

export type { DeliveryAction, DeliveryPlan, PreviewTarget } from './plan-delivery.js';
export type { RefusalReport } from './refusal-feedback.js';

export function createGitHubActivities(deps: { db: Db; box: SecretBox; log: Logger; site: RequestSite; github: { apiUrl: string }; previewIdleSeconds: number }) {
  const { db } = deps;
  const log = deps.log.child({ component: 'github' });
  const client = createGitHubClient({ db, box: deps.box, apiUrl: deps.github.apiUrl });
  const hosts = createHostApis({ db, box: deps.box });
  return {
    client,
    activities: {
      planDelivery: createPlanDelivery({ db, box: deps.box, github: client, site: deps.site, previewIdleSeconds: deps.previewIdleSeconds, log, hosts }),
      ...createRefusalFeedback({ github: client, hosts }),
      ...createDeliveryStore(db),
      ...createRepositorySync({ db, github: client, log }),
      ...createFeedbackActivities({ db, github: client, deploymentLog: createDeploymentLog(db, log) }),
    },
  };
}
