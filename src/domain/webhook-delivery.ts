// What the intake of one GitHub delivery (workflow receiveDelivery) decided and did.

/** awaiting-approval: a fork's pull request waits for a deployer's approval (nothing deployed). */
export type DeliveryOutcome = 'pending' | 'deployed' | 'teardown' | 'awaiting-approval' | 'no-match' | 'ignored' | 'synced' | 'failed';

/** What one delivery did for one app: the rule that matched and the deployment it started. */
export interface DeliveryResult {
  app: string;
  environment: string | null;
  ruleId: string | null;
  rule: string | null;
  deploymentId: string | null;
  note: string;
}
