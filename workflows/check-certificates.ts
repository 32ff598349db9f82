// The certificate schedule: every certificate Traefik serves for an environment's host names is
// looked at, and those within the warning window of their expiry are notified
// (activities/notify/certificate-notices.ts).
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { CertificateCheckResult } from '../src/domain/workflow-contracts.js';
import { PRUNE } from './activity-profiles.js';

export async function checkCertificates(input: { warnDays: number }): Promise<CertificateCheckResult> {
  const { checkCertificates: check } = proxyActivities<ControlActivities>(PRUNE);
  return check(input);
}
