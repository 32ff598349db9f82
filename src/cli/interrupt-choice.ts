// Ctrl-C while a deployment is watched on a terminal: the deployment runs on Berth, not in this
// process, so stopping the CLI does not stop it. Ask which the person meant. Only asked when
// stdin is a terminal; elsewhere Ctrl-C only stops watching.

export type InterruptChoice = 'cancel' | 'detach' | 'watch';

export async function askOnInterrupt(deploymentId: string): Promise<InterruptChoice> {
  process.stderr.write(
    `\nDeployment ${deploymentId} is still running on Berth.\n` +
      `  c  cancel it (its work is undone; the live release keeps serving)\n` +
      `  d  stop watching (it goes on; follow it again with: berth logs -f ${deploymentId})\n` +
      `  w  keep watching\n` +
      `[c/d/w] `,
  );
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const key = await new Promise<string>((resolve) => stdin.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').toLowerCase())));
  stdin.setRawMode(false);
  stdin.pause();
  // In raw mode a second Ctrl-C arrives as a byte, not a signal: it means "let me go".
  const choice: InterruptChoice = key.startsWith('c') ? 'cancel' : key.startsWith('d') || key.startsWith('\x03') || key.startsWith('q') ? 'detach' : 'watch';
  process.stderr.write(`${{ cancel: 'cancelling…', detach: 'detached', watch: 'watching' }[choice]}\n`);
  return choice;
}
