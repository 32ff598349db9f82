// Lint: mostly the recommended rules, plus type-aware rules where a mistake is silent at run
// time (a promise nobody awaits, a switch that forgets a case), and the import boundaries of the
// design — above all, workflow code stays deterministic (no Node built-ins, Docker, logging,
// database or config), and workflows are reached only through their contracts.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const builtins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

const restricted = (patterns, paths = []) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { paths: paths.map((name) => ({ name, message: 'not allowed in this folder', allowTypeImports: true })), patterns },
  ],
});

/** Temporal calls that take a workflow type: its name comes from a contract, never a literal. */
const bareName = 'name workflows by their contract (src/domain/workflow-contracts.ts), not a string';
const bareWorkflowNames = [
  // client.workflow.start('…'), .execute, .signalWithStart
  "CallExpression[callee.object.property.name='workflow'][callee.property.name=/^(start|execute|signalWithStart)$/] > Literal.arguments:first-child",
  // startChild('…'), executeChild('…') in workflow code
  "CallExpression[callee.name=/^(startChild|executeChild)$/] > Literal.arguments:first-child",
  "NewExpression[callee.name='WithStartWorkflowOperation'] > Literal.arguments:first-child",
  // a Schedule's action
  "Property[key.name='workflowType'] > Literal",
].map((selector) => ({ selector, message: bareName }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.scratch/', 'db/migrations/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // Type information for the rules below; a file outside tsconfig.json (the lint tests'
        // examples) gets the default project.
        projectService: { allowDefaultProject: ['*.js', '*/example.ts', '*/*/example.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'api/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts', 'db/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...bareWorkflowNames] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: restricted(
      [
        {
          group: ['**/db/**', '**/src/config*', '**/src/logger*', '**/src/process/**', '**/src/services/**', '**/api/**'],
          message: 'workflows must be deterministic: no I/O, config or logging; pass values in the workflow input',
          allowTypeImports: true,
        },
        { group: ['**/activities/**'], message: 'workflows import activity types only (import type)', allowTypeImports: true },
      ],
      [...builtins, 'dockerode', 'pino', 'pino-pretty', 'postgres', 'drizzle-orm', '@electric-sql/pglite', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
    ),
  },
  {
    files: ['activities/**/*.ts', 'db/**/*.ts', 'src/**/*.ts'],
    // The process entrypoints are where everything is put together.
    ignores: ['src/process/**', 'src/cli.ts'],
    rules: restricted([
      { group: ['**/api/**'], message: 'only the process entrypoints and tests build on api/', allowTypeImports: false },
      { group: ['**/workflows/**'], message: 'workflows are reached through Temporal and their contracts (src/domain/workflow-contracts.ts)', allowTypeImports: false },
    ]),
  },
  {
    files: ['api/**/*.ts'],
    rules: restricted([
      { group: ['**/activities/**'], message: 'the API changes infrastructure only by asking workflows (src/temporal/workflow-starts.ts)', allowTypeImports: false },
      { group: ['**/workflows/**'], message: 'workflows are reached through Temporal and their contracts (src/domain/workflow-contracts.ts)', allowTypeImports: false },
      { group: ['**/src/process/**', '**/src/services/**'], message: 'the API is built from its dependencies (api/deps.ts), not the processes that run it', allowTypeImports: false },
    ]),
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: restricted(
      [{ group: ['**/db/**', '**/activities/**', '**/api/**', '**/workflows/**'], message: 'src/domain is pure and shared by workflows' }],
      [...builtins, 'dockerode', 'pino'],
    ),
  },
  {
    // The typed API client runs in the CLI and, later, in the browser: only the API's document
    // (its generated types) and fetch, never Berth's server code or Node built-ins.
    files: ['src/client/**/*.ts'],
    rules: restricted(
      [{ group: ['**/db/**', '**/activities/**', '**/api/**', '**/workflows/**', '**/src/*', '!**/src/client/**'], message: 'the client knows the API only through its OpenAPI document' }],
      builtins,
    ),
  },
  {
    // The client commands talk to a Berth over HTTP, never to its database or its workflows.
    files: ['src/cli/**/*.ts'],
    rules: restricted([{ group: ['**/db/**', '**/activities/**', '**/api/**', '**/workflows/**', '**/temporal/**'], message: 'client commands reach Berth through its API (src/client)' }]),
  },
  {
    // The web UI runs in the browser and knows Berth only through its API: the typed client
    // (src/client) and hono/jsx's DOM renderer, never server code or Node built-ins.
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    rules: restricted(
      [{ group: ['**/db/**', '**/activities/**', '**/api/**', '**/workflows/**', '**/src/*.js', '**/src/auth/**', '**/src/cli/**', '**/src/compose/**', '**/src/domain/**', '**/src/github/**', '**/src/process/**', '**/src/secrets/**', '**/src/services/**', '**/src/static/**', '**/src/temporal/**'], message: 'the web UI reaches Berth through its API (src/client)' }],
      builtins,
    ),
  },
  {
    files: ['api/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'db/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
