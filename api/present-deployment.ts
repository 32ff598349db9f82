// JSON shapes of deployments and their phases, as the API and its event stream send them.
import type { DeploymentRow, PhaseRow, ServicePhaseRow } from '../db/queries/deployments.js';
import type { Config } from '../src/config.js';
import { workflowUiUrl } from '../src/temporal/client.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentPhase(p: PhaseRow) {
  return { phase: p.phase, startedAt: p.startedAt.toISOString(), endedAt: iso(p.endedAt), outcome: p.outcome, message: p.message };
}

/** A stack deployment's services, in the order they started, each with its phases. */
export function presentServices(rows: ServicePhaseRow[]) {
  const byService = new Map<string, ReturnType<typeof presentPhase>[]>();
  for (const row of rows) byService.set(row.service, [...(byService.get(row.service) ?? []), presentPhase(row)]);
  return [...byService].map(([service, phases]) => ({ service, phases }));
}

export function presentDeployment(config: Config, d: DeploymentRow, phases: PhaseRow[], servicePhases: ServicePhaseRow[] = []) {
  return {
    id: d.id,
    appId: d.appId,
    environmentId: d.environmentId,
    kind: d.kind,
    trigger: d.trigger,
    request: d.request,
    releaseId: d.releaseId,
    status: d.status,
    message: d.message,
    errorType: d.errorType,
    supersededBy: d.supersededBy,
    workflowId: d.workflowId,
    temporalUrl: workflowUiUrl(config.temporal, d.workflowId),
    createdAt: d.createdAt.toISOString(),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    phases: phases.map(presentPhase),
    services: presentServices(servicePhases),
  };
}

