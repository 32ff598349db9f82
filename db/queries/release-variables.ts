// A release snapshots the variables it runs with. The secret ones are kept sealed, together, in
// variables_sealed (bound to the release), and opened only by the activities that start its
// containers or make its stack's secrets; everything else sees the plain ones only.
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { VariableSets } from './variables.js';

export const releaseVariablesContext = (releaseId: string) => `release-variables:${releaseId}`;
const context = releaseVariablesContext;

export function sealReleaseVariables(box: SecretBox, releaseId: string, sets: VariableSets): { variables: Record<string, string>; variablesSealed: string | null } {
  const secret = Object.keys(sets.secret).length ? box.seal(JSON.stringify(sets.secret), context(releaseId)) : null;
  return { variables: sets.plain, variablesSealed: secret };
}

/** Every variable of the release, secret ones opened. */
export function openReleaseVariables(box: SecretBox, release: { id: string; variables: Record<string, string>; variablesSealed: string | null }): Record<string, string> {
  if (!release.variablesSealed) return release.variables;
  return { ...release.variables, ...(JSON.parse(box.open(release.variablesSealed, context(release.id))) as Record<string, string>) };
}

/** Every variable of the release with whether it is secret (opened: never show the secret ones). */
export function releaseSnapshot(box: SecretBox, release: { id: string; variables: Record<string, string>; variablesSealed: string | null }): Record<string, { value: string; secret: boolean }> {
  const out: Record<string, { value: string; secret: boolean }> = {};
  for (const [k, value] of Object.entries(release.variables)) out[k] = { value, secret: false };
  if (release.variablesSealed) {
    for (const [k, value] of Object.entries(JSON.parse(box.open(release.variablesSealed, context(release.id))) as Record<string, string>)) out[k] = { value, secret: true };
  }
  return out;
}
