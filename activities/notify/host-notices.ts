// Events about the instance rather than one app: the Docker root short of disk, a secret key
// rotation finished. They belong to no project, so only instance-wide channels hear of them.
import type { KeyActivities } from '../keys/index.js';
import { formatSize } from '../../src/docker-root-space.js';
import { SEVERITY_OF } from '../../src/domain/notification-events.js';
import type { NotificationEmitter } from './emit-notifications.js';

export interface DiskLow {
  hostId: string;
  path: string;
  freeBytes: number;
  /** The level it fell below (BERTH_DISK_CLEANUP_FREE_MB). */
  belowBytes: number;
  /** Where builds and pulls stop (BERTH_DISK_MIN_FREE_MB). */
  minFreeBytes: number;
  /** When the disk went low (ms): the key, so one fall below the level is one event. */
  since: number;
}

export function createHostNotices(deps: { emitter: NotificationEmitter; publicUrl: string }) {
  const { emitter } = deps;
  return {
    async diskLow(d: DiskLow): Promise<void> {
      const stopped = d.minFreeBytes > 0 && d.freeBytes < d.minFreeBytes;
      await emitter.emit({
        type: 'disk.low',
        key: `disk.low:${d.hostId}:${d.since}`,
        severity: stopped ? 'error' : SEVERITY_OF['disk.low'],
        title: `${d.hostId}: ${formatSize(d.freeBytes)} free on the Docker root`,
        text:
          `${d.path} has ${formatSize(d.freeBytes)} free, below ${formatSize(d.belowBytes)}; the cleanup runs now. ` +
          (stopped ? `Builds and pulls do not start below ${formatSize(d.minFreeBytes)}.` : `Builds and pulls stop below ${formatSize(d.minFreeBytes)}.`),
        projectId: null,
        appId: null,
        environmentId: null,
        facts: { host: d.hostId, path: d.path, freeBytes: String(d.freeBytes), thresholdBytes: String(d.belowBytes), minFreeBytes: String(d.minFreeBytes) },
        link: `${deps.publicUrl}/ui/cleanup`,
        at: Date.now(),
      });
    },

    async keyRotated(keyId: string, retired: string[]): Promise<void> {
      await emitter.emit({
        type: 'secrets.key_rotated',
        key: `secrets.key_rotated:${keyId}`,
        severity: SEVERITY_OF['secrets.key_rotated'],
        title: `secret key rotation done: ${keyId} is current`,
        text: `every sealed value is under ${keyId} now; retired: ${retired.length ? retired.join(', ') : 'none'}`,
        projectId: null,
        appId: null,
        environmentId: null,
        facts: { keyId, retired: retired.join(',') },
        link: null,
        at: Date.now(),
      });
    },
  };
}

export type HostNotices = ReturnType<typeof createHostNotices>;

/** The rotation's last step, which also tells of it once no value is left under an old key. */
export function withRotationNotice(keys: Pick<KeyActivities, 'retireSecretKeys'>, notices: HostNotices) {
  return {
    async retireSecretKeys(input: { keyId: string }): Promise<{ retired: string[]; remaining: number }> {
      const result = await keys.retireSecretKeys(input);
      if (result.remaining === 0) await notices.keyRotated(input.keyId, result.retired);
      return result;
    },
  };
}
