// One message to one channel's receiver, by the channel's kind: an HTTP POST of the kind's
// documented JSON (signed per Standard Webhooks for the generic webhook), or a mail over SMTP
// through nodemailer. A refusal that a retry cannot change (4xx but 408/429, a rejected
// recipient) is permanent; anything else is retried by the activity's policy.
import nodemailer from 'nodemailer';
import type { NotificationEvent } from '../../src/domain/notification-events.js';
import { permanentFailure, retryableFailure } from '../../src/errors.js';
import type { Destination } from '../../src/notifications/channel-destinations.js';
import { discordPayload, emailContent, pagerDutyPayload, slackPayload, teamsPayload, telegramPayload, webhookPayload } from '../../src/notifications/channel-payloads.js';
import { signatureHeaders } from '../../src/notifications/standard-webhooks.js';

/** A receiver that has not answered in this long is retried later. */
export const SEND_TIMEOUT_MS = 10_000;

/** The fixed endpoints of the hosted services (other base URLs for tests and proxies). */
export interface ServiceEndpoints {
  telegramApiUrl: string;
  pagerDutyEventsUrl: string;
}

/** Settings of activity sets built without a configuration (tests): the configuration's defaults. */
export const DEFAULT_NOTIFICATIONS = {
  retry: { initialIntervalMs: 2000, maximumIntervalMs: 300_000, maximumAttempts: 12 },
  endpoints: { telegramApiUrl: 'https://api.telegram.org', pagerDutyEventsUrl: 'https://events.pagerduty.com/v2/enqueue' },
};

export interface Sent {
  /** The receiver's HTTP status, or the SMTP server's reply code. */
  status: number;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Sent> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Berth-Notifications', ...headers }, body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS), redirect: 'error' });
  } catch (err) {
    throw retryableFailure('Unavailable', `receiver not reached: ${(err as Error).message}`);
  }
  const answer = (await res.text().catch(() => '')).slice(0, 200);
  if (res.ok) return { status: res.status };
  const message = `receiver answered ${res.status}${answer ? `: ${answer}` : ''}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw permanentFailure('ValidationFailed', message, { status: res.status });
  throw retryableFailure('Unavailable', message, { status: res.status });
}

async function sendMail(d: Extract<Destination, { kind: 'email' }>, e: NotificationEvent, messageId: string): Promise<Sent> {
  const transport = nodemailer.createTransport({
    host: d.host,
    port: d.port,
    secure: d.secure,
    ...(d.user ? { auth: { user: d.user, pass: d.password ?? '' } } : {}),
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  const { subject, text } = emailContent(e);
  try {
    // The Message-ID is the notification's id: mail systems that de-duplicate see one message.
    const info = await transport.sendMail({ from: d.from, to: d.to, subject, text, messageId: `<${messageId}@berth>` });
    return { status: Number(/^(\d{3})/.exec(info.response)?.[1] ?? 250) };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    const message = `SMTP: ${(err as Error).message}`;
    if (code !== undefined && code >= 500) throw permanentFailure('ValidationFailed', message, { status: code });
    throw retryableFailure('Unavailable', message, code !== undefined ? { status: code } : undefined);
  } finally {
    transport.close();
  }
}

export async function sendToChannel(d: Destination, e: NotificationEvent, messageId: string, endpoints: ServiceEndpoints, nowSeconds: number): Promise<Sent> {
  switch (d.kind) {
    case 'webhook': {
      const body = JSON.stringify(webhookPayload(e));
      return post(d.url, body, signatureHeaders(d.secret, messageId, nowSeconds, body));
    }
    case 'slack':
      return post(d.url, JSON.stringify(slackPayload(e)));
    case 'discord':
      return post(d.url, JSON.stringify(discordPayload(e)));
    case 'teams':
      return post(d.url, JSON.stringify(teamsPayload(e)));
    case 'telegram':
      return post(`${endpoints.telegramApiUrl}/bot${d.botToken}/sendMessage`, JSON.stringify(telegramPayload(e, d.chatId)));
    case 'pagerduty':
      return post(endpoints.pagerDutyEventsUrl, JSON.stringify(pagerDutyPayload(e, d.routingKey, messageId)));
    case 'email':
      return sendMail(d, e, messageId);
  }
}
