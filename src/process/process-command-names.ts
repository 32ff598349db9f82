// The commands that run Berth itself, named apart from their code so the CLI can list them
// (help, completions) without loading the server.

export const PROCESS_COMMANDS = {
  dev: 'Run all of Berth on embedded defaults (Temporal dev server, Traefik, PGlite, API and worker)',
  api: 'Run the HTTP API',
  worker: 'Run the Temporal workers (workflows and activities)',
  migrate: 'Apply database migrations and register Temporal search attributes, then exit',
  'static-server': 'Run the nginx that serves static sites',
  admin: 'Accounts and API tokens, written to the database directly (berth admin --help)',
} as const;

export type ProcessCommand = keyof typeof PROCESS_COMMANDS;

export function isProcessCommand(name: string | undefined): name is ProcessCommand {
  return name !== undefined && Object.hasOwn(PROCESS_COMMANDS, name);
}
