// KEY=VALUE arguments, as `berth vars set` and `berth deploy --var` take them. KEY=- reads the
// value from stdin, so a secret stays out of the process list and the shell's history.
import { CliError, EXIT } from './exit-codes.js';

export async function parseAssignments(assignments: string[]): Promise<Record<string, string>> {
  const variables: Record<string, string> = {};
  for (const a of assignments) {
    const at = a.indexOf('=');
    if (at <= 0) throw new CliError(`${a}: give KEY=VALUE`, EXIT.usage);
    variables[a.slice(0, at)] = a.slice(at + 1);
  }
  const fromStdin = Object.keys(variables).filter((k) => variables[k] === '-');
  if (fromStdin.length > 1) throw new CliError(`only one value can come from stdin (${fromStdin.join(', ')})`, EXIT.usage);
  if (fromStdin[0]) variables[fromStdin[0]] = await readAll();
  return variables;
}

async function readAll(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('KEY=- reads the value from stdin, which is a terminal: pipe the value in', EXIT.usage);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
