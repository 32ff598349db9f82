// The shape of Berth's configuration: what loadConfig (config.ts) produces from the
// environment and every factory receives. Types only; config.ts reads and validates.

export interface Config {
  dataDir: string;
  /** Who may reach the API and how long a sign-in lasts. */
  access: {
    /** Host names the API answers to besides its public URL's and loopback (DNS rebinding guard). */
    allowedHosts: string[];
    /** Proxies whose X-Forwarded-For names the caller. */
    trustedProxies: string[];
    auditRetentionDays: number;
    /** host:port of a second listener serving only git-host webhooks and GitHub's redirects. */
    webhookListen: { host: string; port: number } | null;
    /** Where GitHub reaches those (the GitHub App's webhook and callback URLs); default: the public URL. */
    webhookPublicUrl: string;
  };
  sessions: { idleMinutes: number; maxHours: number };
  toolsDir: string;
  databaseUrl: string | undefined;
  api: { host: string; port: number; publicUrl: string };
  log: { level: string; format: 'auto' | 'json' | 'pretty' };
  temporal: { address: string; namespace: string; uiPort: number; uiUrl: string; workflowBundle: string | undefined; tls: TemporalTls | null };
  /** Labels every Docker object this installation creates; it never touches another's. */
  instance: string;
  hostId: string;
  docker: { socketPath: string };
  traefik: {
    port: number;
    apiPort: number;
    apiUrl: string;
    entryUrl: string;
    routesDir: string;
    httpsPort: number;
    httpsEntryUrl: string;
    /** Where HTTP redirects to HTTPS point (the HTTPS port as the world reaches it). */
    httpsPublicPort: number;
    /** Traefik's log: where the last ACME error of a domain is read from. */
    logFile: string;
  };
  /** Traefik's certificate resolvers. */
  acme: AcmeConfig;
  /** The DNS check before a domain is added: does it resolve to one of these addresses? */
  domainCheck: { dnsServers: string[]; serverAddresses: string[] };
  appsDomain: string;
  reconcile: {
    intervalSeconds: number;
    cleanupIntervalSeconds: number;
    /** The cleanup removes build cache records unused for longer than this. */
    buildCacheMaxAgeHours: number;
    stuckAfterSeconds: number;
    stuckPolicy: 'report' | 'cancel';
    /** React to containers dying within a second (Docker events), not only on the schedule. */
    dockerEvents: boolean;
  };
  static: StaticConfig;
  /** `berth dev` starts Temporal and Traefik itself; production points at running ones. */
  embeddedServices: boolean;
  /** Key of the AES-256-GCM box that seals stored secrets: given, or kept in `keyFile` (made on first use). */
  secrets: {
    key: Buffer | undefined;
    keyFile: string;
    /** The master key being replaced (BERTH_SECRET_KEY_PREVIOUS), only while it is changed (docs/secrets.md#changing-the-master-key). */
    previousKey?: Buffer | undefined;
  };
  github: {
    /** REST API base (a GitHub Enterprise server, or a local stand-in in tests). */
    apiUrl: string;
    /** Where people go: app creation, installation pages. */
    webUrl: string;
    webhookMaxBytes: number;
    /** Intake workflows an API process starts at once (deliveries wait in the database beyond it); 0: another process dispatches. */
    dispatchConcurrency: number;
    repoSyncMinutes: number;
  };
  /** Builds from source: per-deployment workspaces and the Docker CLI that runs BuildKit. */
  builds: {
    workspacesDir: string;
    dockerCli: string;
    /** BERTH_BUILD_REGISTRY: builds are pushed there and pulled by digest (null: none, an image stays where it was built). */
    registry: string | null;
  };
  /** Pull-request previews: torn down after this long without a pull-request event. */
  previews: { idleSeconds: number };
  /** Installation defaults of deploys: the post-switch watch's length when an environment sets none. */
  deploys: { watchSeconds: number };
  /** Host paths (and below) that stack services may bind-mount; none by default. */
  stackBindPaths: string[];
  /** Unsafe compose keys an administrator allows stack services (cap_add, sysctls); none by default. */
  stackAllow: string[];
  guards: HostGuards;
  /** How notifications are retried, and the hosted services' endpoints. */
  notifications: {
    retry: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
    endpoints: { telegramApiUrl: string; pagerDutyEventsUrl: string };
    /** The certificate schedule: every `intervalSeconds`, certificates expiring within `warnDays` are notified. */
    certificates: { warnDays: number; intervalSeconds: number };
    /** The worker's runtime watch: live releases probed every `healthSeconds` (0: never); restart loops. */
    runtime: { healthSeconds: number; restartLoop: { count: number; windowMs: number } };
  };
  /** The retention schedule: every `intervalSeconds`, rows older than their age in days go. */
  retention: {
    intervalSeconds: number;
    days: { deploymentLogsDays: number; reconcileEventsDays: number; webhookDeliveriesDays: number; auditDays: number; notificationsDays: number };
  };
  metrics: MetricsConfig;
  host: HostConfig;
}

/** What Berth exposes to Prometheus, and how often it measures. */
export interface HostConfig {
  /** Where Traefik and the health probes reach this host's published containers. */
  address: string;
  /** How often this host's worker records that it is alive. */
  heartbeatSeconds: number;
  /** The Swarm Berth initialises when the engine is in none (BERTH_SWARM_*). */
  swarm: SwarmInit;
}

/** Where a Swarm Berth makes listens and advertises, and its VXLAN port (fixed once it is made). */
export interface SwarmInit {
  advertiseAddress: string;
  dataPathPort: number;
}

export interface MetricsConfig {
  /** The API's /metrics re-reads its database aggregates at most this often (0: on every scrape). */
  refreshMs: number;
  /** The worker's own /metrics listener (container figures); null: none. */
  workerListen: { host: string; port: number } | null;
  /** host:port where the Temporal SDK's runtime serves its Prometheus metrics; null: none. */
  temporalListen: string | null;
  /** How often the worker samples its containers' statistics from the Docker engine. */
  sampleSeconds: number;
}

/** What protects the host from its builds and from a full disk. */
export interface HostGuards {
  /**
   * What the engine's BuildKit builds may use together (0: no limit), applied to its cgroup
   * (the daemon's cgroup parent + /buildkit): Docker 20.10 ignores `docker build --memory`.
   */
  build: { memoryBytes: number; cpus: number; cgroup: string };
  /** Free space on the Docker root below which builds and pulls refuse to start, and below which the cleanup runs early. */
  disk: { minFreeBytes: number; cleanupFreeBytes: number; checkSeconds: number };
}

export interface AcmeConfig {
  directoryUrl: string;
  email: string | undefined;
  /** PEM file of the CA that signed the ACME server's own HTTPS certificate (LEGO_CA_CERTIFICATES). */
  caCertificates: string | undefined;
  dnsProvider: string | undefined;
  dnsResolvers: string[];
  /** lego waits until the TXT record is visible at the zone's name servers (off for a private DNS). */
  dnsPropagationCheck: boolean;
}

/** mTLS to Temporal: a client certificate and key, and the CA that signed the server's (optional). */
export interface TemporalTls {
  certFile: string;
  keyFile: string;
  caFile: string | null;
  serverName: string | null;
}

/** Static sites: where their releases live, the server that serves them, and intake limits. */
export interface StaticConfig {
  /** <data>/static: shared by the API (staging uploads) and the worker (releases) on one machine. */
  dir: string;
  /** The static server (nginx) listens here on 127.0.0.1; Traefik routes static sites to `url`. */
  port: number;
  url: string;
  nginxBinary: string;
  /** A host's worker runs the static server itself, on the host's address (BERTH_STATIC_SERVE). */
  serve: boolean;
  limits: ArchiveLimits;
}

export interface ArchiveLimits {
  /** The .tar.gz as uploaded. */
  archiveBytes: number;
  /** Everything gunzip produces (a decompression bomb stops here). */
  unpackedBytes: number;
  entries: number;
}
