// Deployment requests and their lifecycle.
import type { RouteTls } from './https.js';
import type { CanarySettings } from './canary.js';
import type { WatchSettings } from './post-switch-watch.js';
import type { SpreadPlan } from './spread.js';

/** rolled-back: live after the switch, then the post-switch watch sent traffic back to the previous release. */
export type DeploymentStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'superseded' | 'rolled-back';

export const FINAL_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded', 'rolled-back'];

export function isFinalStatus(status: DeploymentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A teardown removes what the environment runs (stacks: services, networks, secrets, routes). */
export type DeployRequestKind = 'deploy' | 'rollback' | 'teardown';

export type QueuePolicy = 'latest-wins' | 'fifo';

export type AppKind = 'image' | 'git' | 'static' | 'stack';

/** Where an app of kind git builds from, for one deployment. No secrets: tokens are minted by the build. */
export interface GitSource {
  /** owner/name on GitHub, when the app builds from GitHub. */
  repository: string | null;
  /** Clone URL, when the app names one (any git URL, file:// included). */
  url: string | null;
  /** Branch, tag or other ref to build when no commit is given (null: the remote's HEAD). */
  ref: string | null;
  /** The exact commit; null until the build has fetched `ref`. */
  sha: string | null;
  installationId: number | null;
  /** The Gitea, Forgejo or GitLab connection the repository is on (absent or null: GitHub). */
  gitHostId?: string | null;
  /** Set when a pull request's preview is being deployed. */
  pullRequest: number | null;
  /** Report progress to GitHub (commit status, Deployment) with these links. */
  feedback: { environmentUrl: string; publicUrl: string; production: boolean; transient: boolean } | null;
}

/** A request the environment lane runs: everything the deploy workflow needs, no secrets. */
export interface DeployRequest {
  deploymentId: string;
  kind: DeployRequestKind;
  /** Decides which workflow the lane runs for it (workflows/deploy-workflows.ts). */
  appKind: AppKind;
  appId: string;
  appName: string;
  environmentId: string;
  environmentName: string;
  trigger: string;
  /** For kind "deploy": the image reference (tag or digest) to release. */
  image?: string;
  /** For kind "deploy" of a static app: the archive the API staged and checked. */
  artifact?: StaticArtifact;
  /** For apps of kind git: the commit to build first. */
  source?: GitSource;
  /** For kind "rollback": the release to make live again. */
  releaseId?: string;
  /**
   * For kind "rollback": the release was in its hot-standby window when asked, so an idle lane
   * tries a route-only switch to its running containers (workflows/standby-switch.ts).
   */
  standby?: boolean | undefined;
  /** Environment settings as they were when the request was made. */
  queuePolicy: QueuePolicy;
  cancelSuperseded: boolean;
  retention: number;
  drainSeconds: number;
  /** How long the previous release keeps running after the deploy (absent or 0: stopped after the drain). */
  standbySeconds?: number | undefined;
  /** A canary before the switch to 100 % (image and stack deploys; absent or null: all at once). */
  canary?: CanarySettings | null | undefined;
  /** Blue-green: the new release answers on its preview host name (src/domain/blue-green.ts) before the one switch. */
  blueGreen?: boolean | undefined;
  /** The post-switch watch (absent in requests made before it existed: no watch). */
  watch?: WatchSettings | undefined;
  /** Host names the environment answers on. */
  hosts: string[];
  /** HTTPS on its routes (absent in requests made before HTTPS existed, and when off). */
  tls?: RouteTls | undefined;
  /** The Docker host that runs it (its activities go to task queue berth.host.<id>). */
  hostId: string;
  /**
   * A move (trigger "move"): the live release deployed again on `hostId`, coming from the host
   * `from`. At the commit the environment is placed on `placeHostId` (null: the installation's
   * own); after it, every container of the environment on `from` is removed.
   */
  move?: HostMove | undefined;
  /**
   * An image app spread over several hosts: each host's replicas, decided by the lane when the
   * request's turn comes (workflows/lane-placement.ts); `refused` fails the deploy untouched.
   */
  spread?: SpreadPlan | undefined;
  /** The lane sent its deploy.started notice when its turn came (workflows/lane-placement.ts); the deploy sends none. */
  startAnnounced?: boolean | undefined;
}

/** Where a moving environment comes from and how its new placement is recorded. */
export interface HostMove {
  from: string;
  placeHostId: string | null;
}

/** A static site's archive as received: its checksum and what its entries add up to. */
export interface StaticArtifact {
  sha256: string;
  bytes: number;
  files: number;
  unpackedBytes: number;
}

/** What a deploy workflow returns when it ends. */
export interface DeployResult {
  deploymentId: string;
  status: DeploymentStatus;
  releaseId: string | null;
  message: string | null;
  errorType: string | null;
}
