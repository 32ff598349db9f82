// A service's `build:` as Berth runs it, for stacks whose compose file comes from their git
// repository: the short form (a context path) or context, dockerfile, args and target; the
// paths must stay inside the repository. Other build keys are refused, so none slips by unread.
import type { StackBuild } from '../domain/stack.js';
import { buildPaths } from './build-paths.js';
import { listOrDict } from './compose-values.js';

const BUILD_KEYS = new Set(['context', 'dockerfile', 'args', 'target']);

type At = (key: string, message: string) => void;

export function normalizeBuild(raw: unknown, composePath: string, variables: Record<string, string>, at: At): StackBuild {
  const b = (typeof raw === 'string' ? { context: raw } : (raw ?? {})) as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!BUILD_KEYS.has(key) && !key.startsWith('x-')) at(`build.${key}`, 'not supported by Berth stacks (context, dockerfile, args, target)');
  }
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(listOrDict(b.args as never))) {
    // A bare name takes its value from the environment's variables, as Compose takes it from the shell.
    if (value !== null) args[key] = String(value);
    else if (Object.hasOwn(variables, key)) args[key] = variables[key] as string;
  }
  const build: StackBuild = {
    context: b.context === undefined ? '.' : String(b.context),
    dockerfile: b.dockerfile === undefined ? 'Dockerfile' : String(b.dockerfile),
    args,
    target: b.target === undefined ? null : String(b.target),
  };
  const paths = buildPaths(composePath, build);
  if ('key' in paths) at(paths.key, paths.message);
  return build;
}
