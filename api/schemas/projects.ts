import { z } from '@hono/zod-openapi';
import { Name } from './common.js';

export const ProjectInput = z
  .object({ name: Name, description: z.string().max(2000).default('') })
  .strict()
  .openapi('ProjectInput');

export const Project = z
  .object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.string() })
  .openapi('Project');
