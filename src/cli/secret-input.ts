// Asking for a secret on a terminal without echoing it. Never asks when stdin is not a
// terminal: a script must pass the secret another way (the command says which).
import { CliError, EXIT } from './exit-codes.js';

export async function readSecretLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError('stdin is not a terminal: pass the token with --token-stdin (or set BERTH_URL and BERTH_TOKEN)', EXIT.usage);
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return value.trim();
        if (ch === '\x03') throw new CliError('cancelled', EXIT.interrupted);
        if (ch === '\x7f') value = value.slice(0, -1);
        else value += ch;
      }
    }
    return value.trim();
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
