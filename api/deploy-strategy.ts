// The release strategy a deploy request names (it replaces the environment's), refused with a
// 400 for an app kind that cannot run it, before anything is stored or queued.
import { appKindRunsBlueGreen } from '../src/domain/blue-green.js';
import { appKindRunsCanary, type CanaryOverrides, type ReleaseStrategy } from '../src/domain/canary.js';
import { requestStrategy } from '../src/domain/release-strategy.js';
import { invalid } from './errors.js';

type Environment = Parameters<typeof requestStrategy>[1];

export function deployStrategy(app: { name: string; kind: string }, env: Environment, input: { strategy?: ReleaseStrategy | undefined; canary?: CanaryOverrides | undefined }) {
  if ((input.strategy === 'canary' || input.canary) && !appKindRunsCanary(app.kind)) {
    throw invalid(`app ${app.name} is of kind ${app.kind}: canaries are for image, git, static and stack apps`, [{ path: input.canary ? 'canary' : 'strategy', message: `not for apps of kind ${app.kind}` }]);
  }
  if (input.strategy === 'blue-green' && !appKindRunsBlueGreen(app.kind)) {
    throw invalid(`app ${app.name} is of kind ${app.kind}: blue-green is for image, git, static and stack apps`, [{ path: 'strategy', message: `not for apps of kind ${app.kind}` }]);
  }
  // blueGreen undefined: not blue-green, whatever the environment's strategy.
  return input.strategy || input.canary ? { blueGreen: undefined, ...requestStrategy(app.kind, env, input) } : {};
}
