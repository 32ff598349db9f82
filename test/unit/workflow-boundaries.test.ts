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
