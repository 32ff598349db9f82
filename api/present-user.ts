import type { UserRow } from '../db/queries/credentials.js';

/** A user as the API shows it: never its password hash. */
export function presentUser(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin, disabled: u.disabledAt !== null, createdAt: u.createdAt.toISOString() };
}
