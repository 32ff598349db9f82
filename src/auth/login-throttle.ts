// Growing delays after failed sign-ins, per account and per address: a few free tries, then
// 1 s, 2 s, 4 s … up to 15 minutes. Failures older than an hour are forgotten.

export const FREE_FAILURES = { account: 5, address: 20 } as const;
export const MAX_BLOCK_MS = 15 * 60_000;
export const FORGET_AFTER_MS = 60 * 60_000;

export type ThrottleKind = keyof typeof FREE_FAILURES;

/** How long to refuse sign-ins after the `failures`-th failure in a row. */
export function blockAfter(kind: ThrottleKind, failures: number): number {
  const over = failures - FREE_FAILURES[kind];
  if (over <= 0) return 0;
  return Math.min(MAX_BLOCK_MS, 1000 * 2 ** Math.min(over - 1, 20));
}

export function throttleKey(kind: ThrottleKind, value: string): string {
  return `${kind}:${kind === 'address' ? addressGroup(value) : value.toLowerCase()}`;
}

/**
 * What one caller holds: an IPv4 address, or an IPv6 address's /64 (a network gives its hosts
 * a whole /64, so counting single IPv6 addresses would give each caller endless tries).
 */
export function addressGroup(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const full = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${full.slice(0, 4).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
