// What the caller may do in a project, as the API decides it (the overview's `can`), so pages
// show only the buttons whose calls would be allowed. Hiding is a courtesy: the API still checks.
import { api, unwrap, type Schemas } from '../api.js';
import { useLoad } from './use-load.js';

export type Can = Schemas['Overview']['projects'][number]['can'];

const NOTHING: Can = { deploy: false, manage: false, own: false };

/** By the project's name, or by the name of an app in it. */
export function useCan(where: { project?: string | null; app?: string | null }): Can {
  const key = where.project ?? where.app ?? null;
  const overview = useLoad(() => (key ? unwrap(api.GET('/overview')) : Promise.resolve(null)), [key]);
  const project = overview.data?.projects.find((p) => (where.project ? p.name === where.project : p.apps.some((a) => a.name === where.app)));
  return project?.can ?? NOTHING;
}
