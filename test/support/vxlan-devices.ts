// VXLAN devices a Swarm of a test's own left in the machine's network namespace. An overlay
// network's device is made here and then moved into the network's sandbox; a daemon stopped
// between the two (Swarm was starting a task: seen across a restart in the middle of a stack's
// watch) leaves it here, down, holding its VNI on the Swarm's data-path port. The daemon started
// next on that port (the same one, or a later one on the same 10.N) then cannot make its own:
// every task is rejected with "error creating vxlan interface: file exists", while it stays.
import { execFileSync } from 'node:child_process';

/** Removes the machine namespace's VXLAN devices on UDP port `port` (a live daemon's are in its sandboxes, never here for long). */
export function removeVxlanDevices(port: number): string[] {
  const listing = execFileSync('ip', ['-d', '-o', 'link', 'show', 'type', 'vxlan']).toString();
  const removed: string[] = [];
  for (const line of listing.split('\n')) {
    const found = /^\d+: ([^:@\s]+)[:@].* dstport (\d+)\b/.exec(line);
    if (!found || Number(found[2]) !== port) continue;
    try {
      execFileSync('ip', ['link', 'del', found[1] as string], { stdio: 'pipe' });
      removed.push(found[1] as string);
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
