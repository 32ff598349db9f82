// The query of an environment's app logs and the lines it returns (GET …/logs, …/logs/stream).
import { z } from '@hono/zod-openapi';
import { compileLogPattern } from '../../src/domain/log-frames.js';
import { Name } from './common.js';

/** Most lines one answer (or a stream's backlog) carries. */
export const MAX_TAIL = 5000;

const RELATIVE = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An RFC 3339 time, or a duration before now (30s, 15m, 2h, 7d). */
export function parseMoment(value: string, now = Date.now()): Date | null {
  const rel = RELATIVE.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const Moment = z
  .string()
  .max(40)
  .refine((v) => parseMoment(v) !== null, 'an RFC 3339 time (2026-11-29T21:00:00Z) or a duration before now (30s, 15m, 2h, 7d)');

const Pattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((v, ctx) => {
    const compiled = compileLogPattern(v);
    if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled });
  });

const selection = {
  since: Moment.optional().openapi({ description: 'Lines written at or after this time (RFC 3339, or a duration before now such as 15m)' }),
  tail: z.coerce.number().int().min(1).max(MAX_TAIL).default(200).openapi({ description: `The newest lines only, at most ${MAX_TAIL}` }),
  contains: z.string().min(1).max(200).optional().openapi({ description: 'Lines containing this text (any case)' }),
  match: Pattern.optional().openapi({ description: 'Lines matching this regular expression (JavaScript syntax, at most 200 characters, no nested repetition)' }),
  replica: z.coerce.number().int().min(0).max(999).optional().openapi({ description: "One replica's lines" }),
  service: Name.optional().openapi({ description: "Stacks: one service's lines" }),
};

export const LogRangeQuery = z.object({ ...selection, until: Moment.optional().openapi({ description: 'Lines written before this time' }) }).strict();
export const LogStreamQuery = z.object(selection).strict();

export const AppLogLine = z
  .object({
    at: z.string().openapi({ description: 'When the engine received the line (RFC 3339, nanoseconds)' }),
    stream: z.enum(['stdout', 'stderr']),
    replica: z.number().nullable(),
    service: z.string().nullable().openapi({ description: 'Stacks: the service; null for other apps' }),
    container: z.string().openapi({ description: 'Short container id' }),
    message: z.string(),
  })
  .openapi('AppLogLine');

export const AppLogs = z
  .object({ items: z.array(AppLogLine), truncated: z.boolean().openapi({ description: 'More lines matched than tail allowed; the oldest were left out' }) })
  .openapi('AppLogs');

export type AppLogLine = z.infer<typeof AppLogLine>;
