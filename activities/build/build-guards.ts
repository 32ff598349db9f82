// What stands between a build and the host: the limits of what builds may use, and the disk
// guard that keeps a build from starting on a Docker root short of free space.
import type { DiskGuard } from '../docker/disk-guard.js';
import type { BuildLimits } from './build-limits.js';

export interface BuildGuards {
  limits: BuildLimits;
  disk: DiskGuard;
}
