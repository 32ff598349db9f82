// A git-backed stack's compose file, read from the deployment's checkout and compiled with the
// environment's override and variables by the same compiler uploaded files go through — with
// `build:` allowed, and env_file, file: secrets and configs and relative bind mounts read from
// the checkout (checkout-files.ts), since it is there. Secrets read from files join the secret variables, so they are sealed like them.
import { readFile, stat } from 'node:fs/promises';
import type { Db } from '../../db/client.js';
import { getStackOverride } from '../../db/queries/stacks.js';
import { resolveVariableSets, type VariableSets, type VariableSite } from '../../db/queries/variables.js';
import { compileStack, MAX_COMPOSE_BYTES, type CompiledStack } from '../../src/compose/compile-stack.js';
import { ComposeInvalid } from '../../src/compose/compose-issues.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { checkoutFiles } from './checkout-files.js';
import { insideCheckout } from './workspace.js';

export interface CheckoutCompose {
  compiled: CompiledStack;
  variables: Record<string, string>;
  sets: VariableSets;
}

export async function compileCheckoutCompose(
  db: Db,
  box: SecretBox,
  input: { dir: string; composePath: string; environmentId: string; deploymentId: string; site: VariableSite; allowedBindPaths: string[]; allowed: string[] },
): Promise<CheckoutCompose> {
  const file = await insideCheckout(input.dir, input.composePath, 'compose file');
  if ((await stat(file)).size > MAX_COMPOSE_BYTES) throw permanentFailure('ValidationFailed', `compose file ${input.composePath}: larger than ${MAX_COMPOSE_BYTES} bytes`);
  const sets = await resolveVariableSets(db, input.environmentId, box, { deploymentId: input.deploymentId, site: input.site });
  const variables = { ...sets.plain, ...sets.secret };
  try {
    const compiled = compileStack({
      compose: await readFile(file, 'utf8'),
      override: await getStackOverride(db, input.environmentId),
      variables,
      allowedBindPaths: input.allowedBindPaths,
      allowed: input.allowed,
      composePath: input.composePath,
      repo: checkoutFiles(input.dir, input.composePath),
    });
    const withFiles: VariableSets = { ...sets, secret: { ...sets.secret, ...compiled.fileSecrets } };
    return { compiled, variables: { ...variables, ...compiled.fileSecrets }, sets: withFiles };
  } catch (err) {
    if (err instanceof ComposeInvalid) throw permanentFailure('ValidationFailed', `compose file ${input.composePath}: ${err.message}`);
    throw err;
  }
}
