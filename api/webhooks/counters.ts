// Counts of what the webhook endpoint did, per process. A rejected request leaves nothing but
// a count here: no row, no log line with its body.

export interface WebhookCounters {
  accepted: number;
  duplicates: number;
  ignored: number;
  rejectedSignature: number;
  rejectedSize: number;
  rejectedMalformed: number;
}

export function createWebhookCounters(): WebhookCounters {
  return { accepted: 0, duplicates: 0, ignored: 0, rejectedSignature: 0, rejectedSize: 0, rejectedMalformed: 0 };
}
