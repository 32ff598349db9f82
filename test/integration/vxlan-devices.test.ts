// The cleanup of VXLAN devices a Swarm of a test's own leaves in the machine's namespace: only
// those on the given port go. Real devices, on ports no daemon here uses (4800 + N is 4900–4999).
import { execFileSync } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { removeVxlanDevices } from '../support/vxlan-devices.js';

const tag = process.pid % 10_000;
const devices = [
  { name: `vxt${tag}a`, port: 4791 },
  { name: `vxt${tag}b`, port: 4791 },
  { name: `vxt${tag}c`, port: 4792 },
];
const present = () => execFileSync('ip', ['-o', 'link', 'show', 'type', 'vxlan']).toString();

afterAll(() => {
  for (const d of devices) execFileSync('sh', ['-c', `ip link del ${d.name} 2>/dev/null || true`]);
});

test('removes the devices on one port and leaves the others', () => {
  // VNIs of this process's own: a run beside this one makes its devices on the same ports.
  devices.forEach((d, i) => execFileSync('ip', ['link', 'add', d.name, 'type', 'vxlan', 'id', String(10_000 + tag * 3 + i), 'dstport', String(d.port)]));
  expect(removeVxlanDevices(4791).sort()).toEqual([devices[0]?.name, devices[1]?.name].sort());
  const after = present();
  expect(after).not.toContain(`${devices[0]?.name}:`);
  expect(after).not.toContain(`${devices[1]?.name}:`);
  expect(after).toContain(`${devices[2]?.name}:`);
  expect(removeVxlanDevices(4791)).toEqual([]);
});
