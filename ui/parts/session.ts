// Who is signed in, read once per page load from /auth/whoami; pages read it through useMe().
import { createContext, useContext } from 'hono/jsx/dom';
import type { Schemas } from '../api.js';

export const MeContext = createContext<Schemas['WhoAmI'] | null>(null);

export function useMe(): Schemas['WhoAmI'] {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}
