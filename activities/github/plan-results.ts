// What a delivery's plan records of each app: a verdict (note), the plan's end (done), and the
// refusal of a deploy whose variables the app's schema refuses, decided before anything is
// queued or built.
import type { Db } from '../../db/client.js';
import { describeVariableIssues, variableIssues } from '../../db/queries/variable-issues.js';
import type { DeliveryOutcome, DeliveryResult } from '../../db/schema/index.js';
import type { RequestSite } from '../../src/domain/deploy-request.js';
import { describeRule, type DeployRule } from '../../src/domain/deploy-rules.js';
import type { VariableSchema } from '../../src/domain/variable-schema.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { DeliveryAction, DeliveryPlan } from './plan-delivery.js';
import type { RefusalReport } from './refusal-feedback.js';

export function createRefusalCheck({ db, box, site }: { db: Db; box: SecretBox; site: RequestSite }) {
  /**
   * The same check an API deploy passes (db/queries/variable-issues.ts), before anything is
   * queued or built: a refusal is an action of its own, recorded with the keys it names.
   */
  return async function refusal(
    app: { name: string; variableSchema: VariableSchema | null },
    environmentId: string,
    env: string,
    rule: DeployRule,
    report: Omit<RefusalReport, 'appName' | 'environmentName' | 'message' | 'publicUrl' | 'sha'> & { sha: string | null },
  ): Promise<DeliveryAction | null> {
    const issues = await variableIssues(db, box, site, app, environmentId);
    if (issues.length === 0) return null;
    const message = describeVariableIssues(issues);
    const { sha, ...rest } = report;
    return {
      kind: 'refused',
      result: note(app.name, env, rule, `refused before anything was queued: ${message}`),
      report: sha ? { ...rest, sha, appName: app.name, environmentName: env, publicUrl: site.publicUrl, message } : null,
    };
  };
}

export function note(app: string, environment: string | null, rule: DeployRule | null, text: string): DeliveryResult {
  return {
    app,
    environment,
    ruleId: rule?.id ?? null,
    rule: rule ? describeRule(rule) : null,
    deploymentId: null,
    note: text,
  };
}

export function done(plan: DeliveryPlan, outcome: DeliveryOutcome, message: string): DeliveryPlan {
  plan.outcome = outcome;
  plan.message = message;
  return plan;
}
