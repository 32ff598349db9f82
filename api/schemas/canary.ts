import { z } from '@hono/zod-openapi';

const SplitMatch = z
  .object({
    // Written into a Traefik rule: plain tokens only, nothing that could close or widen it.
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)'),
    value: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'letters, digits and . _ ~ - (at most 128)'),
  })
  .strict()
  .openapi('CanarySplitMatch');

export const CanaryInput = z
  .object({
    steps: z
      .array(z.number().int().min(1).max(99))
      .min(1)
      .max(10)
      .refine((s) => s.every((w, i) => i === 0 || w > (s[i - 1] as number)), 'weights must rise')
      .openapi({ description: 'The new release’s share of traffic at each step, in percent (rising, 1–99); 100 % follows the last' }),
    stepSeconds: z.number().int().min(1).max(86_400).openapi({ description: 'How long each step lasts while the analysis watches' }),
    maxErrorRatioIncrease: z.number().min(0).max(1).openapi({ description: 'How far the canary’s 5xx ratio may exceed the stable release’s (0–1)' }),
    maxP95Ms: z.number().int().min(1).max(600_000).openapi({ description: 'p95 latency (ms) that aborts a canary slower than the stable release' }),
    header: SplitMatch.nullable().openapi({ description: 'Requests with this header and value reach the new release before any weight moves' }),
    cookie: SplitMatch.nullable().openapi({ description: 'Requests with this cookie and value reach the new release before any weight moves' }),
  })
  .partial()
  .strict();

export const Canary = z
  .object({
    steps: z.array(z.number()),
    stepSeconds: z.number(),
    maxErrorRatioIncrease: z.number(),
    maxP95Ms: z.number(),
    header: SplitMatch.nullable().optional(),
    cookie: SplitMatch.nullable().optional(),
  })
  .openapi('CanarySettings');

export const CanaryState = z
  .object({
    step: z.number().openapi({ description: '1-based step in weights' }),
    weights: z.array(z.number()),
    weight: z.number().openapi({ description: 'The new release’s share of traffic now, in percent' }),
    paused: z.boolean(),
    remainingMs: z.number().openapi({ description: 'Time left in the step (frozen while paused)' }),
    outcome: z.enum(['running', 'promoting', 'aborted']),
    reason: z.string().nullable(),
    figures: z.string().nullable().openapi({ description: 'The analysis of the step so far' }),
  })
  .openapi('CanaryState');

export const CanaryCommandInput = z
  .object({ reason: z.string().max(500).optional().openapi({ description: 'Recorded with an abort' }) })
  .strict()
  .openapi('CanaryCommand');
