import { z } from '@hono/zod-openapi';
import { VARIABLE_TYPES } from '../../src/domain/variable-schema.js';

const Source = z
  .object({
    level: z.enum(['project', 'environment', 'deploy']),
    environment: z.string().nullable().openapi({ description: 'For level environment: which one of the parent chain set it' }),
  })
  .openapi('VariableSource');

export const EffectiveVariables = z
  .object({
    items: z.array(
      z.object({
        key: z.string(),
        value: z.string().nullable().openapi({ description: 'Resolved; null when secret' }),
        secret: z.boolean().openapi({ description: 'Secret itself, or takes a secret value by reference' }),
        source: Source,
      }),
    ),
    errors: z.array(z.object({ key: z.string(), message: z.string() })).openapi({ description: 'Keys whose references do not resolve: a deploy is refused until they do' }),
  })
  .openapi('EffectiveVariables');

const Rule = z
  .object({
    type: z.enum(VARIABLE_TYPES).default('string'),
    required: z.boolean().default(false),
    secret: z.boolean().default(false).openapi({ description: 'The value must be marked secret' }),
    description: z.string().max(1000).optional(),
    values: z.array(z.string().max(256)).min(1).max(100).optional().openapi({ description: 'Type enum: the values allowed' }),
    pattern: z.string().min(1).max(256).optional().openapi({ description: 'Type pattern: a regular expression the whole value must match' }),
  })
  .strict();

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const VariableSchemaInput = z
  .object({ variables: z.record(z.string(), Rule) })
  .strict()
  .superRefine((v, ctx) => {
    const keys = Object.keys(v.variables);
    if (keys.length > 500) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'at most 500 keys' });
    for (const key of keys) {
      if (!VARIABLE_NAME.test(key)) ctx.addIssue({ code: 'custom', path: ['variables', key], message: 'not a variable name' });
    }
  })
  .openapi('VariableSchemaInput');

export const VariableSchema = z
  .object({ variables: z.record(z.string(), Rule) })
  .openapi('VariableSchema');

export const ReleaseDiff = z
  .object({
    from: z.number(),
    to: z.number(),
    image: z.object({ from: z.string(), to: z.string(), changed: z.boolean() }),
    variables: z.object({
      added: z.array(z.object({ key: z.string(), secret: z.boolean(), value: z.string().optional() })),
      removed: z.array(z.object({ key: z.string(), secret: z.boolean() })),
      changed: z.array(z.object({ key: z.string(), secret: z.boolean(), from: z.string().optional(), to: z.string().optional() })),
      unchanged: z.array(z.object({ key: z.string(), secret: z.boolean() })),
    }),
  })
  .openapi('ReleaseDiff');
