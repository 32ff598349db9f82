// The lint that keeps workflow code deterministic really fails on forbidden imports.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

// The project's lint configuration, with type information for each example from a program of
// its own (the example alone, on the standard library): loading the whole project's program
// for a few lines of code would cost seconds.
const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: [], noResolve: true, strict: true, skipLibCheck: true };
const libFiles = new Map<string, ts.SourceFile | undefined>();
const baseHost = ts.createCompilerHost(options);

function programOf(code: string, filePath: string): ts.Program {
  const host: ts.CompilerHost = {
    ...baseHost,
    fileExists: (f) => f === filePath || baseHost.fileExists(f),
    readFile: (f) => (f === filePath ? code : baseHost.readFile(f)),
    getSourceFile: (f, language) => {
      if (f === filePath) return ts.createSourceFile(f, code, language, true);
      if (!libFiles.has(f)) libFiles.set(f, baseHost.getSourceFile(f, language));
      return libFiles.get(f);
    },
  };
  return ts.createProgram([filePath], options, host);
}

async function problems(code: string, file: string): Promise<string[]> {
  const filePath = resolve(file);
  const eslint = new ESLint({ overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [programOf(code, filePath)] } } } });
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
