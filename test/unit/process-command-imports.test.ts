// `berth api` loads only its own modules: the Temporal worker (its native core, webpack, memfs)
// and dev's embedded services cost the API tens of megabytes of resident memory when the
// process commands imported every command statically (docs/benchmarks.md, "Idle memory").
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const at = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

/** The packages a fresh node process has loaded after importing `modules`. */
function packagesLoadedBy(modules: string[]): string[] {
  const script = `${modules.map((m) => `await import(${at(m)});`).join(' ')}
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    console.log(JSON.stringify([...new Set(Object.keys(cache).map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k)?.[1]).filter(Boolean))]));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, BERTH_LOG_FORMAT: 'json' } });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as string[];
}

test("the process commands' entry and the API server load no worker, webpack or pretty printer", () => {
  const loaded = packagesLoadedBy(['../../src/process/process-commands.ts', '../../src/process/api-server.ts']);
  expect(loaded).toContain('@temporalio/client'); // the check sees what is loaded
  for (const heavy of ['@temporalio/worker', '@temporalio/core-bridge', 'webpack', 'memfs', 'pino-pretty', '@electric-sql/pglite']) expect(loaded).not.toContain(heavy);
});

test('the worker process still loads the worker', () => {
  expect(packagesLoadedBy(['../../src/process/worker-process.ts'])).toContain('@temporalio/worker');
});
