// Names a stack's exposed services cannot take, because Berth derives them for another service's
// blue-green preview (src/domain/blue-green.ts, workflows/stack-strategies.ts): the main service
// previews on `next.<the environment's first host name>`, which is the host name of an exposed
// service named `next`; and each exposed service's preview is the route file
// `<environment>-<service>-next`, which is the route file of an exposed service named
// `<service>-next`. Either pair would overwrite one another's route during a deploy, so the
// compose file is refused rather than served the wrong way.
import { PREVIEW_LABEL } from '../domain/blue-green.js';
import type { StackService } from '../domain/stack.js';
import type { ComposeIssue } from './compose-issues.js';

const SUFFIX = `-${PREVIEW_LABEL}`;

/** One issue per exposed service whose name is another's preview host name or route key. */
export function previewNameIssues(services: StackService[]): ComposeIssue[] {
  const exposed = new Set(services.filter((s) => s.expose).map((s) => s.name));
  const issues: ComposeIssue[] = [];
  for (const name of [...exposed].sort()) {
    if (name === PREVIEW_LABEL) {
      issues.push({
        path: `services.${name}`,
        message: `service ${name}: an exposed service cannot be named ${PREVIEW_LABEL}: ${PREVIEW_LABEL}.<host> is where the main service's blue-green release answers before its switch; rename the service`,
      });
    }
    const base = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : null;
    if (base && exposed.has(base)) {
      issues.push({
        path: `services.${name}`,
        message: `service ${name}: an exposed service cannot be named ${base}${SUFFIX} beside the exposed service ${base}: its route would be ${base}'s blue-green preview route; rename the service`,
      });
    }
  }
  return issues;
}
