// The pure parts of notifications: the Standard Webhooks signature (against the spec's own
// example), secrets split from settings and masked, routing by subscription, payload shapes.
import { describe, expect, test } from 'vitest';
import { subscriptionMatches, type NotificationEvent } from '../../src/domain/notification-events.js';
import { joinDestination, maskSecret, splitDestination } from '../../src/notifications/channel-destinations.js';
import { discordPayload, pagerDutyPayload, slackPayload, teamsPayload, telegramPayload, webhookPayload } from '../../src/notifications/channel-payloads.js';
import { isSigningSecret, newSigningSecret, signatureHeaders, verifySignature } from '../../src/notifications/standard-webhooks.js';

const event: NotificationEvent = {
  type: 'deploy.failed',
  key: 'dep_1:deploy.failed',
  severity: 'error',
  title: 'web/prod: deploy failed',
  text: 'deployment failed (health check)',
  projectId: 'prj_1',
  appId: 'app_1',
  environmentId: 'env_1',
  facts: { project: 'shop', app: 'web', environment: 'prod', deploymentId: 'dep_1' },
  link: 'https://berth.example/ui/deployments/dep_1',
  at: Date.UTC(2026, 10, 29, 12, 0, 0),
};

describe('Standard Webhooks signature', () => {
  test('matches the example of the specification', () => {
    // standard-webhooks/standard-webhooks, its libraries' shared test vector.
    const headers = signatureHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('verifies, and refuses a changed body, another secret or an old timestamp', () => {
    const secret = newSigningSecret();
    expect(isSigningSecret(secret)).toBe(true);
    const now = 1_800_000_000;
    const h = signatureHeaders(secret, 'msg_x', now, '{"a":1}');
    const given = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
    expect(verifySignature(secret, given, '{"a":1}', now + 10)).toEqual({ ok: true });
    expect(verifySignature(secret, given, '{"a":2}', now).ok).toBe(false);
    expect(verifySignature(newSigningSecret(), given, '{"a":1}', now).ok).toBe(false);
    expect(verifySignature(secret, given, '{"a":1}', now + 301)).toEqual({ ok: false, reason: 'webhook-timestamp outside the tolerance window' });
    expect(verifySignature(secret, { ...given, signature: `v1,bogus ${given.signature}` }, '{"a":1}', now).ok).toBe(true);
    expect(isSigningSecret('whsec_short')).toBe(false);
    expect(isSigningSecret('not-a-secret')).toBe(false);
  });
});

describe('destinations', () => {
  test('secrets leave the settings, which keep them only masked', () => {
    const { settings, secrets } = splitDestination({ kind: 'slack', url: 'https://hooks.slack.com/services/T1/B2/sekret' });
    expect(settings).toEqual({ kind: 'slack', url: 'https://hooks.slack.com/…' });
    expect(secrets).toEqual({ url: 'https://hooks.slack.com/services/T1/B2/sekret' });
    expect(joinDestination(settings, secrets)).toEqual({ kind: 'slack', url: 'https://hooks.slack.com/services/T1/B2/sekret' });
    const mail = splitDestination({ kind: 'email', host: 'smtp.example', port: 587, secure: false, user: 'u', password: 'pw', from: 'a@b.c', to: ['d@e.f'] });
    expect(mail.settings.password).toBe('••••••••');
    expect(JSON.stringify(mail.settings)).not.toContain('pw');
    expect(maskSecret(null)).toBeNull();
    expect(maskSecret('123:ABC')).toBe('••••••••');
  });
});

describe('routing', () => {
  test('by app, environment name and event type; the test event goes nowhere by subscription', () => {
    const all = { appId: null, environmentName: null, events: ['*'] };
    expect(subscriptionMatches(all, event)).toBe(true);
    expect(subscriptionMatches({ ...all, appId: 'app_2' }, event)).toBe(false);
    expect(subscriptionMatches({ ...all, environmentName: 'staging' }, event)).toBe(false);
    expect(subscriptionMatches({ ...all, environmentName: 'prod', events: ['deploy.failed'] }, event)).toBe(true);
    expect(subscriptionMatches({ ...all, events: ['deploy.succeeded'] }, event)).toBe(false);
    expect(subscriptionMatches(all, { ...event, type: 'test' })).toBe(false);
  });
});

describe('payloads', () => {
  test('each in its service’s documented shape', () => {
    expect(webhookPayload(event)).toMatchObject({ type: 'deploy.failed', timestamp: '2026-11-29T12:00:00.000Z', data: { key: 'dep_1:deploy.failed', facts: { app: 'web' } } });
    const slack = slackPayload(event);
    expect(slack.text).toContain('deploy failed');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    const discord = discordPayload(event);
    expect(discord.embeds[0]).toMatchObject({ title: event.title, color: 0xef4444, url: event.link });
    expect(discord.allowed_mentions.parse).toEqual([]);
    const teams = teamsPayload(event);
    expect(teams.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]?.content.type).toBe('AdaptiveCard');
    expect(telegramPayload(event, '-100').chat_id).toBe('-100');
    const trigger = pagerDutyPayload(event, 'k'.repeat(32), 'msg_1');
    expect(trigger).toMatchObject({ event_action: 'trigger', dedup_key: 'berth-deploy-env_1', payload: { severity: 'error', source: 'web/prod' } });
    // The environment's next success resolves the same alert.
    expect(pagerDutyPayload({ ...event, type: 'deploy.succeeded', severity: 'success' }, 'k'.repeat(32), 'msg_2')).toEqual({ routing_key: 'k'.repeat(32), event_action: 'resolve', dedup_key: 'berth-deploy-env_1' });
    // A live release's lost health is its own alert, resolved when it is regained.
    expect(pagerDutyPayload({ ...event, type: 'health.lost' }, 'k'.repeat(32), 'msg_3')).toMatchObject({ event_action: 'trigger', dedup_key: 'berth-health-env_1' });
    expect(pagerDutyPayload({ ...event, type: 'health.regained', severity: 'success' }, 'k'.repeat(32), 'msg_4')).toEqual({ routing_key: 'k'.repeat(32), event_action: 'resolve', dedup_key: 'berth-health-env_1' });
  });
});
