// The variables a deploy runs with: the project's, the environment's through its parent chain,
// and the deploy's own overrides, merged in that order (docs/variables.md), then references
// resolved. Secret values are opened here and must be sealed again wherever they are stored.
import { eq, inArray, max } from 'drizzle-orm';
import { environmentHosts } from '../../src/domain/route.js';
import { mergeLayers, type VariableLayer, type VariableValue } from '../../src/domain/variable-layers.js';
import { resolveReferences, type BerthValues, type ReferenceError, type ResolvedVariable } from '../../src/domain/variable-references.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { environmentBasis, type EnvironmentBasis } from './environment-settings.js';
import type { EnvironmentRow } from './environments.js';
import { deploymentVariables, environmentVariables, projectVariables, releases } from '../schema/index.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

const PREVIEW_NAME = /^pr-(\d+)$/;

/** Where a secret variable's sealed value belongs: it opens only there. */
export const variableSecretContext = (environmentId: string, key: string) => `environment-variable:${environmentId}:${key}`;
export const projectVariableContext = (projectId: string, key: string) => `project-variable:${projectId}:${key}`;
export const deploymentVariablesContext = (deploymentId: string) => `deployment-variables:${deploymentId}`;

export interface VariableSets {
  plain: Record<string, string>;
  /** Opened: keep them sealed wherever they are stored again. */
  secret: Record<string, string>;
}

/** Where environments answer: berth.url. */
export interface VariableSite {
  appsDomain: string;
  traefikPort: number;
}

export interface VariableContext {
  /** The deploy: its stored overrides and berth.deployment (null outside a deploy). */
  deploymentId: string | null;
  /** Overrides of a deploy not queued yet (the API's check); stored ones are read by deploymentId. */
  overrides?: Record<string, VariableValue>;
  /** berth.release; one past the environment's newest when not given. */
  releaseNumber?: number;
  site: VariableSite;
  /** The environment's chain and app when the caller has read them already (environmentBasis). */
  basis?: EnvironmentBasis;
}

export interface EffectiveVariables {
  variables: Record<string, ResolvedVariable>;
  errors: ReferenceError[];
  /** A fork's preview: gets no secret value (filtered by resolveVariableSets). */
  untrusted: boolean;
}

type Row = { key: string; value: string; secret: boolean };

function openRows(rows: Row[], box: SecretBox, context: (key: string) => string): Record<string, VariableValue> {
  return Object.fromEntries(rows.map((r) => [r.key, { value: r.secret ? box.open(r.value, context(r.key)) : r.value, secret: r.secret }]));
}

/** The project's own variables, secret ones opened. */
export async function projectVariableValues(db: Db, box: SecretBox, projectId: string): Promise<Record<string, VariableValue>> {
  const rows = await db.select().from(projectVariables).where(eq(projectVariables.projectId, projectId));
  return openRows(rows, box, (key) => projectVariableContext(projectId, key));
}

/** A stored deploy's overrides, secret ones opened. */
export async function deploymentOverrides(db: Db, box: SecretBox, deploymentId: string): Promise<Record<string, VariableValue>> {
  const [row] = await db.select().from(deploymentVariables).where(eq(deploymentVariables.deploymentId, deploymentId));
  if (!row) return {};
  const secret = row.variablesSealed ? (JSON.parse(box.open(row.variablesSealed, deploymentVariablesContext(deploymentId))) as Record<string, string>) : {};
  return {
    ...Object.fromEntries(Object.entries(row.variables).map(([k, value]) => [k, { value, secret: false }])),
    ...Object.fromEntries(Object.entries(secret).map(([k, value]) => [k, { value, secret: true }])),
  };
}

/** Seals a deploy's overrides for its row: plain ones as they are, secret ones together. */
export function sealOverrides(box: SecretBox, deploymentId: string, overrides: Record<string, VariableValue>) {
  const entries = Object.entries(overrides);
  const secret = Object.fromEntries(entries.filter(([, v]) => v.secret).map(([k, v]) => [k, v.value]));
  return {
    variables: Object.fromEntries(entries.filter(([, v]) => !v.secret).map(([k, v]) => [k, v.value])),
    variablesSealed: Object.keys(secret).length ? box.seal(JSON.stringify(secret), deploymentVariablesContext(deploymentId)) : null,
  };
}

/** Every level's variables, lowest first, with the project's own and Berth's values. */
async function loadLayers(db: Db, box: SecretBox, environmentId: string, ctx: VariableContext) {
  const { chain, app } = ctx.basis ?? (await environmentBasis(db, environmentId));
  const self = chain[0] as EnvironmentRow;
  const project = await projectVariableValues(db, box, app.projectId);
  const rows = await db.select().from(environmentVariables).where(inArray(environmentVariables.environmentId, chain.map((e) => e.id)));
  const layers: VariableLayer[] = [{ source: { level: 'project', environment: null }, variables: project }];
  for (const env of [...chain].reverse()) {
    const own = rows.filter((r) => r.environmentId === env.id);
    layers.push({ source: { level: 'environment', environment: env.name }, variables: openRows(own, box, (key) => variableSecretContext(env.id, key)) });
  }
  const overrides = ctx.overrides ?? (ctx.deploymentId ? await deploymentOverrides(db, box, ctx.deploymentId) : {});
  layers.push({ source: { level: 'deploy', environment: null }, variables: overrides });
  let release = ctx.releaseNumber;
  if (release === undefined) {
    const [{ n } = { n: 0 }] = await db.select({ n: max(releases.number) }).from(releases).where(eq(releases.environmentId, self.id));
    release = (n ?? 0) + 1;
  }
  const host = environmentHosts(app.name, self.name, ctx.site.appsDomain, hostDomains(self))[0] ?? '';
  const berth: BerthValues = {
    app: app.name,
    environment: self.name,
    release: String(release),
    deployment: ctx.deploymentId ?? '',
    preview: self.parentId ? (PREVIEW_NAME.exec(self.name)?.[1] ?? '') : '',
    url: `http://${host}:${ctx.site.traefikPort}`,
  };
  return { layers, project, berth, untrusted: self.untrusted };
}

/** The merged, resolved variables with where each came from, and every key that does not resolve. */
export async function effectiveVariables(db: Db, box: SecretBox, environmentId: string, ctx: VariableContext): Promise<EffectiveVariables> {
  const { layers, project, berth, untrusted } = await loadLayers(db, box, environmentId, ctx);
  const { variables, errors } = resolveReferences({ project, effective: mergeLayers(layers), berth });
  return { variables, errors, untrusted };
}

/**
 * What a deploy runs with, kept apart by whether it is secret (a value that takes a secret by
 * reference is secret too). An untrusted environment (a fork's preview) gets no secret value.
 * A reference that does not resolve fails the step: it never reaches a container as text.
 */
export async function resolveVariableSets(db: Db, environmentId: string, box: SecretBox, ctx: VariableContext): Promise<VariableSets> {
  const { variables, errors, untrusted } = await effectiveVariables(db, box, environmentId, ctx);
  if (errors.length) throw permanentFailure('ValidationFailed', `variables: ${errors.map((e) => `${e.key}: ${e.message}`).join('; ')}`);
  const sets: VariableSets = { plain: {}, secret: {} };
  for (const [key, v] of Object.entries(variables)) {
    if (!v.secret) sets.plain[key] = v.value;
    else if (!untrusted) sets.secret[key] = v.value;
  }
  return sets;
}
