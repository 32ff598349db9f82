// The subnets of tests' own Docker daemons: two daemons alive at once never share 10.N, whether
// in one process or two, and a claim left by a process that died is taken over.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { claimOctet } from '../support/octet-claims.js';

const MODULE = fileURLToPath(new URL('../support/octet-claims.ts', import.meta.url));

/** A process of its own that claims for `name`, prints its N and holds it until killed. */
async function claimElsewhere(name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(MODULE)}).then((m) => { console.log(m.claimOctet(${JSON.stringify(name)}).octet); setInterval(() => {}, 1000); })`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, octet: Number(line.toString().trim()) };
}

test('two claims in one process get two subnets, and a released one is free again', () => {
  const a = claimOctet('same-name');
  const b = claimOctet('same-name');
  expect(b.octet).not.toBe(a.octet);
  a.release();
  const c = claimOctet('same-name');
  expect(c.octet).toBe(a.octet);
  b.release();
  c.release();
});

test("another live process's claim is passed over; a dead one's is taken", async () => {
  const name = `elsewhere-${process.pid}`;
  const other = await claimElsewhere(name);
  try {
    const mine = claimOctet(name);
    expect(mine.octet).not.toBe(other.octet);
    mine.release();
  } finally {
    other.child.kill('SIGKILL');
    await once(other.child, 'exit');
  }
  // Its claim file is still there, but its process is gone.
  const after = claimOctet(name);
  expect(after.octet).toBe(other.octet);
  after.release();
}, 30_000);
