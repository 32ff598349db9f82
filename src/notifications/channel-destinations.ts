// The kinds of notification channel and what each needs, split into what may be shown
// (settings) and what is sealed at rest and masked in every answer (secrets).

export const CHANNEL_KINDS = ['webhook', 'slack', 'discord', 'teams', 'telegram', 'pagerduty', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export type Destination =
  | { kind: 'webhook'; url: string; secret: string }
  | { kind: 'slack' | 'discord' | 'teams'; url: string }
  | { kind: 'telegram'; botToken: string; chatId: string }
  | { kind: 'pagerduty'; routingKey: string }
  | { kind: 'email'; host: string; port: number; secure: boolean; user: string | null; password: string | null; from: string; to: string[] };

/** Fields sealed at rest: incoming-webhook URLs carry their token in the path. */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  webhook: ['url', 'secret'],
  slack: ['url'],
  discord: ['url'],
  teams: ['url'],
  telegram: ['botToken'],
  pagerduty: ['routingKey'],
  email: ['password'],
};

/** Where a channel's sealed secrets live (bound into the seal, so they open nowhere else). */
export function channelSecretContext(channelId: string): string {
  return `notification-channel:${channelId}`;
}

/**
 * Splits a destination into its settings, which hold each secret only masked (what answers
 * show), and its secrets (sealed at rest).
 */
export function splitDestination(d: Destination): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  const secretNames = new Set(SECRET_FIELDS[d.kind]);
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (!secretNames.has(k)) {
      settings[k] = v;
      continue;
    }
    secrets[k] = v;
    settings[k] = maskSecret(v);
  }
  return { settings, secrets };
}

/** The destination to send to: the settings with the opened secrets in place of their masks. */
export function joinDestination(settings: Record<string, unknown>, secrets: Record<string, unknown>): Destination {
  return { ...settings, ...secrets } as unknown as Destination;
}

/** A secret as answers show it: a URL keeps its scheme and host, anything else is hidden whole. */
export function maskSecret(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  try {
    const u = new URL(String(value));
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.protocol}//${u.host}/…`;
  } catch {
    // not a URL
  }
  return '••••••••';
}
