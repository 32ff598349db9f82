// New ids: a prefix, the time in base 36 (so ids sort by creation) and random characters.
import { randomBytes } from 'node:crypto';
import { mintId } from './domain/ids.js';

export type IdPrefix = 'prj' | 'app' | 'env' | 'dep' | 'req' | 'gha' | 'rul' | 'prv' | 'usr' | 'ses' | 'tok' | 'ghc' | 'whk' | 'ntc' | 'key';

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(10);
  let i = 0;
  return mintId(prefix, Date.now(), () => (bytes[i++ % bytes.length] as number) / 256);
}
