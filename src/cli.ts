#!/usr/bin/env node
// berth <command>: the one binary. Commands that run Berth itself (dev, api, worker, migrate,
// static-server, admin: src/process/process-commands.ts) and the client commands that talk to
// a running Berth over its API (login, deploy, logs, …: src/cli/). The process commands' entry
// is imported statically: loaded by a dynamic import, a spawned `berth worker` once made no
// progress on deployments in test/integration/crash-resume.test.ts (cause not found). Each
// command's own modules are loaded dynamically inside it (the worker's too: crash-resume passes).
import { isProcessCommand } from './process/process-command-names.js';
import { runProcessCommand } from './process/process-commands.js';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv.slice(2);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  // `berth admin` has its own usage text; the others' --help is the CLI's.
  if (isProcessCommand(command) && (command === 'admin' || !wantsHelp)) {
    return runProcessCommand(command, rest);
  }
  const { runClient } = await import('./cli/program.js');
  await runClient(argv);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
