// Pull requests whose head is in another repository (a fork) run code nobody on the team wrote.
// What an app does with them is its fork policy; whatever it is, a fork never gets secrets.

export const FORK_POLICIES = ['deny', 'approve', 'allow-without-secrets'] as const;
export type ForkPolicy = (typeof FORK_POLICIES)[number];

export const DEFAULT_FORK_POLICY: ForkPolicy = 'approve';

/** A pull request is from a fork when its head repository is not the base one (or is gone). */
export function isFork(headRepository: string | null, baseRepository: string): boolean {
  return headRepository === null || headRepository.toLowerCase() !== baseRepository.toLowerCase();
}

export type ForkDecision = { deploy: true } | { deploy: false; wait: boolean; reason: string };

/** What to do with a fork's head commit, given the policy and whether that commit was approved. */
export function decideFork(policy: ForkPolicy, approved: boolean): ForkDecision {
  if (policy === 'deny') return { deploy: false, wait: false, reason: 'pull requests from forks are not deployed (fork policy deny)' };
  if (policy === 'allow-without-secrets' || approved) return { deploy: true };
  return { deploy: false, wait: true, reason: 'a pull request from a fork: waiting for a deployer to approve its head commit' };
}
