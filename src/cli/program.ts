// The `berth` command line: every command, its options and help, on commander. Each group of
// client commands lives in a file named after its concept; this file puts them together, maps
// failures to messages and exit codes (exit-codes.ts), and lists the process commands too.
import { Command, CommanderError, Option } from 'commander';
import { isProcessCommand, PROCESS_COMMANDS } from '../process/process-command-names.js';
import { registerAppCommands } from './app-commands.js';
import { commandContext, type Action, type GlobalOptions } from './command-context.js';
import { completionScript } from './completion-scripts.js';
import { registerDeployCommands } from './deploy-commands.js';
import { registerCanaryCommands } from './canary-commands.js';
import { registerDeploymentCommands } from './deployment-commands.js';
import { registerDomainCommands } from './domain-commands.js';
import { CliError, describeError, EXIT, exitForError, isExpected } from './exit-codes.js';
import { examples } from './help-examples.js';
import { registerKeysCommands } from './keys-commands.js';
import { registerHostCommands } from './host-commands.js';
import { registerSpreadCommands } from './spread-commands.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerNotificationCommands } from './notification-commands.js';
import { registerSessionCommands } from './session-commands.js';
import { registerVarsCommands } from './vars-commands.js';

const EXIT_CODES_HELP = `
Exit codes:
  0 success (a deployment: live)   1 failed   2 cancelled   3 superseded
  4 not logged in or token refused   5 not allowed   6 not found   7 input or state refused
  8 Berth unreachable   64 usage   130 stopped watching (Ctrl-C; the deployment goes on)

Berth and the token come from BERTH_URL and BERTH_TOKEN when set, else from the current
context (berth login). Data goes to stdout, progress and messages to stderr.
`;

/** Runs a command's action with its context; turns what it returns or throws into the exit code. */
function run(action: Action) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = commandContext(command.optsWithGlobals<GlobalOptions>());
    try {
      // Commander passes what the command declares: the arguments its action takes.
      process.exitCode = (await action(ctx, ...(args.slice(0, -1) as never[]))) ?? EXIT.ok;
    } catch (err) {
      // Anything that is not an expected failure is a bug: show where it came from.
      process.stderr.write(`berth: ${isExpected(err) ? describeError(err) : String((err as Error)?.stack ?? err)}\n`);
      process.exitCode = exitForError(err);
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Deploy, follow, roll back and script Berth; and run Berth itself')
    .addOption(new Option('-o, --output <format>', 'text, or json (NDJSON while watching a deployment)').choices(['text', 'json']).default('text'))
    .option('--context <name>', 'a saved context other than the current one')
    .showHelpAfterError('usage: berth <command> [options]  (berth --help lists the commands; berth <command> --help shows examples)')
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP + examples(['berth login http://127.0.0.1:7480', 'berth deploy web prod --image web:1.4.2', 'berth status web/prod', 'berth logs -f dep_01hx…']));

  program.commandsGroup('Using a Berth:');
  registerSessionCommands(program, run);
  registerAppCommands(program, run);
  registerDeployCommands(program, run);
  registerDeploymentCommands(program, run);
  registerCanaryCommands(program, run);
  registerRulesCommands(program, run);
  registerVarsCommands(program, run);
  registerDomainCommands(program, run);
  registerNotificationCommands(program, run);
  registerKeysCommands(program, run);
  registerHostCommands(program, run);
  registerSpreadCommands(program, run);
  program
    .command('completion')
    .description('Print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', examples(['source <(berth completion bash)', 'berth completion zsh > "${fpath[1]}/_berth"', 'berth completion fish > ~/.config/fish/completions/berth.fish']))
    .action(
      run(async (ctx, shell: string) => {
        if (!['bash', 'zsh', 'fish'].includes(shell)) throw new CliError(`no completion for ${shell}: bash, zsh or fish`, EXIT.usage);
        ctx.out.line(completionScript(program, shell).trimEnd());
      }),
    );

  program.commandsGroup('Running Berth:');
  for (const [name, description] of Object.entries(PROCESS_COMMANDS)) {
    program
      .command(name)
      .description(description)
      .allowUnknownOption()
      .argument('[args...]')
      .action(async (args: string[]) => {
        const { runProcessCommand } = await import('../process/process-commands.js');
        if (isProcessCommand(name)) await runProcessCommand(name, args);
      });
  }
  return program;
}

export async function runClient(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      process.exitCode = EXIT.usage;
      return;
    }
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version are answers, not errors; commander has already printed the message.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') process.exitCode = EXIT.ok;
    else process.exitCode = EXIT.usage;
  }
}
