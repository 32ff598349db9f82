// Every workflow Berth runs, as its callers know it: the durable type name Temporal records,
// what it takes and what it returns. Callers start, signal and schedule workflows through these
// (src/temporal/workflow-starts.ts; workflows/child-workflows.ts for children), never through a
// bare name or an import of workflows/. workflows/index.ts exports one function per type name,
// and a type check (test/unit/workflow-contracts.test.ts) holds the two together.
//
// A type name is public API: a running workflow, a schedule and every recorded history name it.
// Where the code's name for a workflow changed, the contract keeps the old type name.
import type { CleanupOutcome } from './cleanup.js';
import type { AppKind, DeployRequest, DeployResult } from './deployment.js';
import type { RouteTls } from './https.js';
import type { Queued } from './lane-queue.js';
import type { PreviewTarget } from './preview.js';
import type { SyncResult } from './repository-sync.js';
import type { ServicePlan } from './stack.js';
import type { DeliveryOutcome, DeliveryResult } from './webhook-delivery.js';
import type { KeyRotationInput, KeyRotationResult } from './key-rotation.js';
import type { HostRepository } from './host-repositories.js';
import type { DrainHostInput, HostDrain } from './host-drain.js';
import type { JoinSwarmInput, LeaveSwarmInput, SwarmJoined, SwarmLeft } from './host-swarm.js';

/** A workflow type and its signature; `signature` is never set, it only carries the types. */
export interface WorkflowContract<Type extends string = string, Args extends unknown[] = unknown[], Result = unknown> {
  readonly type: Type;
  // A method, so any contract is assignable to WorkflowContract (parameters compare both ways).
  signature?(...args: Args): Promise<Result>;
}

/** The function a contract's workflow is (what Temporal's typed client calls take). */
export type WorkflowFunction<C> = C extends WorkflowContract<string, infer Args, infer Result> ? (...args: Args) => Promise<Result> : never;
export type WorkflowArgs<C> = Parameters<WorkflowFunction<C>>;
export type WorkflowResult<C> = Awaited<ReturnType<WorkflowFunction<C>>>;

function workflow<Args extends unknown[], Result>() {
  return <Type extends string>(type: Type): WorkflowContract<Type, Args, Result> => ({ type });
}

export interface LaneInput {
  environmentId: string;
  /** Requests carried over a continue-as-new. */
  queued?: Queued[];
  arrivals?: number;
  completed?: number;
  /** Deployments per run before continuing as new (default DEPLOYS_PER_RUN). */
  deploysPerRun?: number;
}

export interface ServiceRolloutInput {
  deploymentId: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  service: ServicePlan;
  /** Host names an exposed service answers on. */
  hosts: string[];
  /** HTTPS for them (absent: plain HTTP, and in rollouts started before HTTPS existed). */
  tls?: RouteTls | undefined;
  hostId: string;
  /**
   * The route is left as it is (an exposed service's): the stack's canary or blue-green moves it
   * after the rollout (workflows/stack-strategies.ts). Absent in rollouts before stacks had them.
   */
  holdRoute?: boolean | undefined;
}

export interface ServiceRolledOut {
  service: string;
  swarmService: string;
  change: 'created' | 'updated' | 'unchanged';
  /** The new tasks' servers, when the route was held (holdRoute). */
  servers?: string[] | undefined;
}

export interface ReconcileEnvironmentInput {
  environmentId: string;
  hostId: string;
  trigger: string;
}

export interface ReconcileAllInput {
  hostId: string;
  trigger: string;
  stuck: { deadlineMs: number; noWorkerMs: number; policy: 'report' | 'cancel'; cancelGraceMs: number };
}

export interface ReconcileSummary {
  environments: number;
  events: number;
  orphans: number;
  staleRoutes: number;
  stuck: number;
}

export interface CleanupInput {
  hostId: string;
  dryRun: boolean;
  trigger: string;
  /** Build cache records unused for longer than this go (BERTH_BUILD_CACHE_MAX_AGE_HOURS). */
  buildCacheHours: number;
}

export interface DeliveryInput {
  deliveryId: string;
}

/** The intake of one repository's deliveries (workflow intake-<hash of host and repository>). */
export interface IntakeInput {
  /** <git host id or github>:<repository or -> — what the workflow id derives from. */
  key: string;
  /** Delivery ids carried over a continue-as-new, not yet handled. */
  queued?: string[];
}

export interface DeliveryHandled {
  outcome: DeliveryOutcome;
  results: DeliveryResult[];
}

export interface PreviewOutcome {
  deployments: string[];
  removed: 'closed' | 'idle';
}

/** How one notification is retried (BERTH_NOTIFY_* settings), carried in its input. */
export interface NotificationRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export interface NotificationInput {
  messageId: string;
  retry: NotificationRetry;
}

export type NotificationOutcome = 'sent' | 'already-sent' | 'dropped' | 'failed';

/** Ages in days beyond which history rows go (BERTH_RETAIN_*). */
export interface PruneHistoryInput {
  deploymentLogsDays: number;
  reconcileEventsDays: number;
  webhookDeliveriesDays: number;
  auditDays: number;
  notificationsDays: number;
}

export type PrunedCounts = Record<keyof PruneHistoryInput, number>;

/** The certificate schedule's check: how many served certificates were looked at, which expire soon. */
export interface CertificateCheckResult {
  checked: number;
  expiring: { host: string; daysLeft: number }[];
}

export const WORKFLOWS = {
  /** One per environment (lane-<environment id>): runs its deploys one at a time. */
  environmentLane: workflow<[LaneInput], void>()('environmentLane'),
  /** Deploys of apps of kind image. Its type keeps the name it was first registered under. */
  deployImage: workflow<[DeployRequest], DeployResult>()('deployRelease'),
  /** Deploys of apps of kind git: build the commit, then the image path. */
  deployFromGit: workflow<[DeployRequest], DeployResult>()('deployFromGit'),
  /** Deploys of static sites. */
  deployStatic: workflow<[DeployRequest], DeployResult>()('deployStatic'),
  /** Deploys, rollbacks and teardowns of stacks (git-backed ones build first). */
  rolloutStack: workflow<[DeployRequest], DeployResult>()('rolloutStack'),
  /** One service of a stack rollout, a child of rolloutStack. */
  rolloutStackService: workflow<[ServiceRolloutInput], ServiceRolledOut>()('rolloutStackService'),
  /** Targeted reconcile of one environment (Docker events, the API). */
  reconcileEnvironment: workflow<[ReconcileEnvironmentInput], number>()('reconcileEnvironment'),
  /** The scheduled reconcile of everything. */
  reconcileAll: workflow<[ReconcileAllInput], ReconcileSummary>()('reconcileAll'),
  /** The cleanup schedule: images, build cache and stale uploads Berth owns. */
  cleanUpHost: workflow<[CleanupInput], CleanupOutcome>()('cleanUpHost'),
  /** The intake of one GitHub delivery. */
  receiveDelivery: workflow<[DeliveryInput], DeliveryHandled>()('receiveDelivery'),
  /** The intake of one repository's deliveries, fed in batches by the dispatcher (signal deliveries). */
  intakeDeliveries: workflow<[IntakeInput], void>()('intakeDeliveries'),
  /** One pull request's preview: deploys, idle timer, teardown. */
  previewLifecycle: workflow<[PreviewTarget], PreviewOutcome>()('previewLifecycle'),
  /** Repository sync of every installation, or one. */
  syncRepositories: workflow<[{ installationId: number | null }], SyncResult>()('syncRepositories'),
  /** One notification to one channel, retried until sent or out of attempts. */
  deliverNotification: workflow<[NotificationInput], NotificationOutcome>()('deliverNotification'),
  /** The retention schedule: old logs, events, deliveries, audit entries and notifications go. */
  pruneHistory: workflow<[PruneHistoryInput], PrunedCounts>()('pruneHistory'),
  /** The certificate schedule: certificates within the warning window of their expiry are notified. */
  checkCertificates: workflow<[{ warnDays: number }], CertificateCheckResult>()('checkCertificates'),
  /** Adds a secret key, re-seals every stored secret under it, retires the old keys. */
  rotateSecretKeys: workflow<[KeyRotationInput], KeyRotationResult>()('rotateSecretKeys'),
  /** The repositories a git host connection (Gitea, Forgejo, GitLab, Bitbucket) reaches, read from the host. */
  listHostRepositories: workflow<[{ gitHostId: string }], HostRepository[]>()('listHostRepositories'),
  /** Moves every environment off a draining host, one after another, by deploys. */
  drainHost: workflow<[DrainHostInput], HostDrain>()('drainHost'),
  /** Joins a host's engine to the installation's Swarm (token from the manager, join on the host, label). */
  joinSwarm: workflow<[JoinSwarmInput], SwarmJoined>()('joinSwarm'),
  /** Drains a host's Swarm node, makes its engine leave, removes the node. */
  leaveSwarm: workflow<[LeaveSwarmInput], SwarmLeft>()('leaveSwarm'),
} as const;

/**
 * Type names no caller starts any more that stay registered, so workflows started under them
 * (before an upgrade) run to their end and their histories replay.
 */
export const RETIRED_WORKFLOW_TYPES = {
  /** cleanUpHost's type until the cleanup did more than images. */
  pruneUnusedImages: WORKFLOWS.cleanUpHost,
} as const;

export type DeployContract = WorkflowContract<string, [DeployRequest], DeployResult>;

/** Which workflow makes a release of each kind of app live (the lane runs it as its child). */
export const DEPLOY_WORKFLOWS: Record<AppKind, DeployContract> = {
  image: WORKFLOWS.deployImage,
  git: WORKFLOWS.deployFromGit,
  static: WORKFLOWS.deployStatic,
  stack: WORKFLOWS.rolloutStack,
};
