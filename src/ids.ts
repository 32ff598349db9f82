// New ids: a prefix, the time in base 36 (so ids sort by creation) and random characters.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'prj' | 'app' | 'env' | 'dep' | 'req';

export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = [...randomBytes(10)].map((b) => (b % 36).toString(36)).join('');
  return `${prefix}_${time}${random}`;
}
