// The real services every integration test (and benchmark) shares, each on free ports and in
// temp directories, all stopped and removed at the end. Test files isolate themselves by
// Temporal namespace, database, Berth instance name and environment ids. The workflow code is
// bundled once per run, as production does (BERTH_WORKFLOW_BUNDLE), so no worker a test starts
// bundles it again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPaths } from '../../src/process/embedded-services.js';
import { startTemporalDevServer } from '../../src/services/temporal-dev-server.js';
import { startTraefik } from '../../src/services/traefik.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { freePort } from './free-port.js';
import { startPostgresCluster } from './postgres-cluster.js';
import { startRegistry } from './registry.js';

// One namespace per test Berth, never handed out twice in a run (a closed Berth's schedules and
// workflows stay in it): the suite starts about 80 Berths; room for them and for growth.
export const NAMESPACE_POOL = Array.from({ length: 160 }, (_, i) => `berth-test-${i + 1}`);

export interface SharedServices {
  tempDir: string;
  temporalAddress: string;
  namespaces: string[];
  postgresAdminUrl: string;
  traefik: { apiUrl: string; entryUrl: string; entryPort: number; routesDir: string; httpsPort: number };
  registryHost: string;
  toolsDir: string;
  /** This run's workflow bundle (of the code as it is now). */
  workflowBundle: string;
}

export async function startSharedServices(): Promise<{ services: SharedServices; stop: () => Promise<void> }> {
  const toolsDir = process.env.BERTH_TOOLS_DIR ?? join(process.env.HOME ?? '/root', '.cache', 'berth');
  const tools = toolPaths(toolsDir);
  const tempDir = mkdtempSync(join(tmpdir(), 'berth-test-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(tempDir, { recursive: true, force: true })];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const workflowBundle = join(tempDir, 'workflow-bundle.js');
    const [temporal, postgres, registry] = await Promise.all([
      startTemporalDevServer({
        binary: tools.temporal,
        port: await freePort(),
        uiPort: null,
        namespaces: NAMESPACE_POOL,
        logFile: join(tempDir, 'temporal.log'),
      }),
      startPostgresCluster(),
      startRegistry(),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') }).then(({ code }) => writeFileSync(workflowBundle, code)),
    ]);
    stops.push(() => temporal.stop(), () => postgres.stop(), () => registry.stop());
    const routesDir = join(tempDir, 'routes');
    const entryPort = await freePort();
    const httpsPort = await freePort();
    const traefik = await startTraefik(tools.traefik, {
      httpsPort,
      dir: join(tempDir, 'traefik'),
      routesDir,
      entryPort,
      apiPort: await freePort(),
      defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile },
    });
    stops.push(() => traefik.stop());
    return {
      services: {
        tempDir,
        temporalAddress: temporal.address,
        namespaces: NAMESPACE_POOL,
        postgresAdminUrl: postgres.url('postgres'),
        traefik: { apiUrl: traefik.apiUrl, entryUrl: traefik.entryUrl, entryPort, routesDir, httpsPort },
        registryHost: registry.host,
        toolsDir,
        workflowBundle,
      },
      stop: teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}
