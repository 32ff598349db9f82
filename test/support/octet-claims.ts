// Which 10.N/16 a Docker daemon of a test's own takes (its bridge, its Swarm's gateway and pool,
// its Swarm's loopback address and data-path port all follow N). Two bridges on one subnet (a
// second daemon in the same process, a test run beside this one, a bridge a killed run left
// behind) both get a route, the kernel sends the subnet through the first, and every health check
// of the other's containers times out. An N some interface is on is passed over; a claim is a file named
// `<N>.<pid>` under one directory; a claim stands when no other live process claims the same N,
// so two processes that claim N at once both back off and neither keeps it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLAIMS = join(tmpdir(), 'berth-daemon-octets');
const FIRST = 100;
const COUNT = 100;
/** This process's own claims (one process can run more than one daemon). */
const held = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The claims' directory's entries; it is removed when its last claim goes, and made again here. */
function claimFiles(): string[] {
  mkdirSync(CLAIMS, { recursive: true });
  try {
    return readdirSync(CLAIMS);
  } catch (err) {
    // Removed between the two calls by a release.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return claimFiles();
  }
}

function writeClaim(file: string): void {
  try {
    writeFileSync(file, '');
  } catch {
    mkdirSync(CLAIMS, { recursive: true });
    writeFileSync(file, '');
  }
}

/** Live processes other than this one that claim `octet`; a dead process's claim is removed. */
function othersClaiming(octet: number): number[] {
  const others: number[] = [];
  for (const file of claimFiles()) {
    const [n, pid] = file.split('.').map(Number) as [number, number];
    if (n !== octet || pid === process.pid) continue;
    if (alive(pid)) others.push(pid);
    else rmSync(join(CLAIMS, file), { force: true });
  }
  return others;
}

export interface OctetClaim {
  octet: number;
  release(): void;
}

/** An N in 100–199 no interface is on (10.N.*) and no other live test process has claimed; starts at one derived from `name`. */
export function claimOctet(name: string): OctetClaim {
  const start = Array.from(name).reduce((a, ch) => a + ch.charCodeAt(0), 0);
  // Another round after two claimants both backed off from every N they met.
  for (let round = 0; round < 3; round++) {
    const used = execFileSync('ip', ['-4', '-o', 'addr']).toString();
    for (let i = 0; i < COUNT; i++) {
      const octet = FIRST + ((start + i) % COUNT);
      if (held.has(octet) || used.includes(` 10.${octet}.`)) continue;
      const file = join(CLAIMS, `${octet}.${process.pid}`);
      if (othersClaiming(octet).length) continue;
      writeClaim(file);
      if (othersClaiming(octet).length) {
        rmSync(file, { force: true });
        continue;
      }
      held.add(octet);
      return {
        octet,
        release: () => {
          rmSync(file, { force: true });
          held.delete(octet);
          try {
            rmdirSync(CLAIMS);
          } catch {
            // another claim stands
          }
        },
      };
    }
  }
  throw new Error(`no free 10.N/16 for a Docker daemon of a test's own (N ${FIRST}–${FIRST + COUNT - 1}; claims in ${CLAIMS})`);
}
