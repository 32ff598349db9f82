// What each channel's receiver is sent for an event, in the shape its documentation gives:
// Slack's incoming webhooks (text + Block Kit), Discord's webhooks (an embed), Microsoft
// Teams' workflow webhooks (an Adaptive Card in a message), Telegram's sendMessage, PagerDuty's
// Events API v2, and the generic webhook's Standard Webhooks envelope {type, timestamp, data}.
import type { NotificationEvent, NotificationSeverity } from '../domain/notification-events.js';

function factLines(e: NotificationEvent): string[] {
  return Object.entries(e.facts).map(([k, v]) => `${k}: ${v}`);
}

/** The generic webhook's body: the envelope the Standard Webhooks spec recommends. */
export function webhookPayload(e: NotificationEvent) {
  const { type, at, ...data } = e;
  return { type, timestamp: new Date(at).toISOString(), data };
}

export function slackPayload(e: NotificationEvent) {
  const context = factLines(e).join(' · ');
  return {
    // `text` is the notification's fallback (and what screen readers announce).
    text: `${e.title}: ${e.text}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: e.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: e.link ? `${e.text}\n<${e.link}|Open in Berth>` : e.text } },
      ...(context ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: context }] }] : []),
    ],
  };
}

const DISCORD_COLOURS: Record<NotificationSeverity, number> = { info: 0x3b82f6, success: 0x22c55e, warning: 0xf59e0b, error: 0xef4444 };

export function discordPayload(e: NotificationEvent) {
  return {
    // Nobody is pinged by a deployment's name or text.
    allowed_mentions: { parse: [] as string[] },
    embeds: [
      {
        title: e.title.slice(0, 256),
        description: e.text.slice(0, 4096),
        color: DISCORD_COLOURS[e.severity],
        timestamp: new Date(e.at).toISOString(),
        ...(e.link ? { url: e.link } : {}),
        fields: Object.entries(e.facts)
          .slice(0, 25)
          .map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: true })),
      },
    ],
  };
}

export function teamsPayload(e: NotificationEvent) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: e.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: e.text, wrap: true },
            { type: 'FactSet', facts: Object.entries(e.facts).map(([title, value]) => ({ title, value })) },
          ],
          ...(e.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Berth', url: e.link }] } : {}),
        },
      },
    ],
  };
}

export function telegramPayload(e: NotificationEvent, chatId: string) {
  // Plain text: no parse_mode, so nothing in an app's name or an error needs escaping.
  const text = [e.title, e.text, ...factLines(e), ...(e.link ? [e.link] : [])].join('\n');
  return { chat_id: chatId, text: text.slice(0, 4096), link_preview_options: { is_disabled: true } };
}

const PAGERDUTY_SEVERITY: Record<Exclude<NotificationSeverity, 'success'>, 'info' | 'warning' | 'error'> = { info: 'info', warning: 'warning', error: 'error' };

/**
 * PagerDuty Events API v2. A deploy's or build's failure triggers an alert per environment and
 * the environment's next success resolves it (one dedup_key); health.lost is resolved by the
 * environment's health.regained the same way; other events alert on their own.
 */
export function pagerDutyPayload(e: NotificationEvent, routingKey: string, messageId: string) {
  const perEnvironment = (e.type.startsWith('deploy.') || e.type === 'build.failed') && e.type !== 'deploy.stuck' && e.environmentId;
  const health = e.type.startsWith('health.') && e.environmentId;
  const dedupKey = perEnvironment ? `berth-deploy-${e.environmentId}` : health ? `berth-health-${e.environmentId}` : messageId;
  if (e.severity === 'success') return { routing_key: routingKey, event_action: 'resolve' as const, dedup_key: dedupKey };
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: dedupKey,
    payload: {
      summary: `${e.title}: ${e.text}`.slice(0, 1024),
      source: e.facts.app && e.facts.environment ? `${e.facts.app}/${e.facts.environment}` : 'berth',
      severity: PAGERDUTY_SEVERITY[e.severity],
      timestamp: new Date(e.at).toISOString(),
      component: e.facts.app ?? 'berth',
      group: e.facts.project ?? 'berth',
      class: e.type,
      custom_details: e.facts,
    },
    ...(e.link ? { links: [{ href: e.link, text: 'Open in Berth' }] } : {}),
  };
}

export function emailContent(e: NotificationEvent) {
  return {
    subject: `[Berth] ${e.title}`,
    text: [e.text, '', ...factLines(e), ...(e.link ? ['', e.link] : [])].join('\n'),
  };
}
