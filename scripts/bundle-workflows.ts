// Builds the prebuilt workflow bundle production workers load (BERTH_WORKFLOW_BUNDLE), so a
// worker starts without running webpack. Bundles the compiled workflows when `tsc` has run,
// so the bundle holds exactly the code the rest of dist/ was built from.
//   node --import tsx scripts/bundle-workflows.ts   (the last step of `npm run build`)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const COMPILED = join(ROOT, 'dist', 'workflows', 'index.js');
const SOURCE = join(ROOT, 'workflows', 'index.ts');
const BUNDLE_PATH = join(ROOT, 'dist', 'workflow-bundle.js');

function report(level: string, message: string, meta?: unknown): void {
  process.stderr.write(`bundle-workflows: ${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`);
}

// webpack's progress lines are noise here; its warnings and errors are not.
const quiet = {
  log: (level: string, message: string, meta?: unknown) => {
    if (level === 'WARN' || level === 'ERROR') report(level, message, meta);
  },
  trace() {},
  debug() {},
  info() {},
  warn: (message: string, meta?: unknown) => report('WARN', message, meta),
  error: (message: string, meta?: unknown) => report('ERROR', message, meta),
};

async function main(): Promise<void> {
  const workflowsPath = existsSync(COMPILED) ? COMPILED : SOURCE;
  const started = performance.now();
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
  writeFileSync(BUNDLE_PATH, code);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `bundle-workflows: ${relative(ROOT, workflowsPath)} -> ${relative(ROOT, BUNDLE_PATH)} (${Math.round(code.length / 1024)} KiB, ${ms} ms)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle-workflows: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
