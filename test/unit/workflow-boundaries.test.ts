// The lint that keeps workflow code deterministic really fails on forbidden imports.
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint();

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('workflows/ imports', () => {
  test.each([
    ["import { readFile } from 'node:fs';", 'a Node built-in'],
    ["import { randomUUID } from 'crypto';", 'a bare Node built-in'],
    ["import Docker from 'dockerode';", 'dockerode'],
    ["import pino from 'pino';", 'pino'],
    ["import { openDatabase } from '../db/client.js';", 'db/'],
    ["import { loadConfig } from '../src/config.js';", 'the config module'],
    ["import { createHostActivities } from '../activities/index.js';", 'activity implementations'],
  ])('%s is rejected (%s)', async (line) => {
    expect(await problems(`${line}\nexport const x = 1;\n`, 'workflows/example.ts')).toContain('@typescript-eslint/no-restricted-imports');
  });

  test('activity types and pure domain modules are allowed', async () => {
    const code = "import type { HostActivities } from '../activities/index.js';\nimport { PHASES } from '../src/domain/phases.js';\nexport type X = HostActivities;\nexport const p = PHASES;\n";
    expect(await problems(code, 'workflows/example.ts')).toEqual([]);
  });
});

describe('imports one way, and workflows by their contracts', () => {
  test.each([
    ["import { createHostActivities } from '../activities/index.js';", 'api/example.ts', 'the API reaching activities'],
    ["import type { HostActivities } from '../activities/index.js';", 'api/example.ts', 'the API reaching activity types'],
    ["import type { environmentLane } from '../workflows/environment-lane.js';", 'api/example.ts', 'the API reaching workflows'],
    ["import type { environmentLane } from '../../workflows/environment-lane.js';", 'src/temporal/example.ts', 'src/ reaching workflow types'],
    ["import type { rolloutStack } from '../workflows/rollout-stack.js';", 'activities/example.ts', 'activities reaching workflow types'],
  ])('%s in %s is rejected (%s)', async (line, file) => {
    expect(await problems(`${line}\nexport const x = 1;\n`, file)).toContain('@typescript-eslint/no-restricted-imports');
  });

  test('a workflow named by a bare string is rejected', async () => {
    const code = "import type { Client } from '@temporalio/client';\nexport const start = (t: Client) => t.workflow.start('reconcileAll', { workflowId: 'x', taskQueue: 'q' });\n";
    expect(await problems(code, 'api/example.ts')).toContain('no-restricted-syntax');
  });
});

describe('type-aware rules', () => {
  test('a promise nobody awaits is rejected', async () => {
    const code = 'async function work(): Promise<void> {}\nexport function go(): void {\n  work();\n}\n';
    expect(await problems(code, 'src/example.ts')).toContain('@typescript-eslint/no-floating-promises');
  });

  test('a switch that forgets a case is rejected', async () => {
    const code = "export function f(k: 'a' | 'b'): number {\n  switch (k) {\n    case 'a':\n      return 1;\n  }\n  return 0;\n}\n";
    expect(await problems(code, 'src/example.ts')).toContain('@typescript-eslint/switch-exhaustiveness-check');
  });

  test('an explicit any is rejected', async () => {
    expect(await problems('export const x: any = 1;\n', 'src/example.ts')).toContain('@typescript-eslint/no-explicit-any');
  });
});
