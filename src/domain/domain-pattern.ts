// A domains pattern: one environment sets e.g. `{env}.shop.example.com`, and it and every
// environment below it that sets none of its own answer on their own name under it
// (production.shop.example.com, staging.shop.example.com …), with no domain typed per
// environment. Inherited like the other settings (nearest environment wins); "" stops it.

/** A host name: labels of lowercase letters, digits and inner hyphens, 253 characters at most. */
export const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const PLACEHOLDER = /\{([a-z]*)\}/g;

/** Why a pattern cannot be used, or null when it can. "" (no pattern) is always usable. */
export function domainPatternProblem(pattern: string): string | null {
  if (pattern === '') return null;
  const names = [...pattern.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const unknown = names.find((n) => n !== 'app' && n !== 'env');
  if (unknown !== undefined) return `{${unknown}} is not a placeholder (use {env} and {app})`;
  // Without the environment's name every environment would claim the same host name.
  if (!names.includes('env')) return 'needs {env}, so that each environment gets a name of its own';
  if (!HOST_NAME.test(pattern.replace(PLACEHOLDER, 'x')) || !pattern.includes('.')) return 'is not a host name once {app} and {env} are filled in (e.g. {env}.shop.example.com)';
  return null;
}

/** The host name a pattern gives an environment, or null with no pattern. */
export function expandDomainPattern(pattern: string | null, appName: string, environmentName: string): string | null {
  if (!pattern) return null;
  return pattern.replaceAll('{app}', appName).replaceAll('{env}', environmentName);
}

/** The nearest pattern of the chain (the environment first, then its parents): "" and none stop at null. */
export function inheritedDomainPattern(chain: readonly { domainPattern: string | null }[]): string | null {
  for (const env of chain) if (env.domainPattern !== null) return env.domainPattern || null;
  return null;
}

/** The domains an environment answers on besides <app>.<env>.<apps domain>: its own, then its pattern's. */
export function hostDomains(env: { domains: string[]; patternDomain: string | null }): string[] {
  return env.patternDomain && !env.domains.includes(env.patternDomain) ? [...env.domains, env.patternDomain] : env.domains;
}
