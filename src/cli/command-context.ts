// What every client command starts from: its output, and — when it talks to Berth — the
// target (URL and token) and a typed client for it.
import { createBerthClient, type BerthClient } from '../client/berth-client.js';
import { resolveTarget, type Target } from './contexts.js';
import type { ExitCode } from './exit-codes.js';
import { createOutput, type Output, type OutputFormat } from './output.js';

export interface GlobalOptions {
  context?: string;
  output?: OutputFormat;
}

export interface CommandContext {
  out: Output;
  globals: GlobalOptions;
  target(): Promise<Target>;
  client(): Promise<BerthClient>;
}

export function commandContext(globals: GlobalOptions): CommandContext {
  let target: Promise<Target> | null = null;
  const ctx: CommandContext = {
    out: createOutput(globals.output ?? 'text'),
    globals,
    target: () => (target ??= resolveTarget(globals.context)),
    client: async () => {
      const t = await ctx.target();
      return createBerthClient({ url: t.url, token: t.token });
    },
  };
  return ctx;
}

/**
 * A command's work: given its context and commander's arguments, the exit code it means. Each
 * action declares the arguments its command has (`never[]` admits any such list).
 */
export type Action = (ctx: CommandContext, ...args: never[]) => Promise<ExitCode | void>;
/** Wraps an action for commander: context from the global options, errors as messages and exit codes. */
export type Run = (action: Action) => (...args: unknown[]) => Promise<void>;
