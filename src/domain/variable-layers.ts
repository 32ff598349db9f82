// Where a variable's value comes from, and which level wins. The order is documented in
// docs/variables.md: project < environment chain (farthest ancestor first) < per-deploy override.

export type VariableLevel = 'project' | 'environment' | 'deploy';

export interface VariableSource {
  level: VariableLevel;
  /** The environment that set it, for level "environment" (an ancestor's name when inherited). */
  environment: string | null;
}

export interface VariableValue {
  value: string;
  secret: boolean;
}

export interface VariableLayer {
  source: VariableSource;
  variables: Record<string, VariableValue>;
}

export interface LayeredVariable extends VariableValue {
  source: VariableSource;
}

/** Layers lowest first; a key set at a higher layer replaces the lower one whole (value and secret flag). */
export function mergeLayers(layers: VariableLayer[]): Record<string, LayeredVariable> {
  const out: Record<string, LayeredVariable> = {};
  for (const layer of layers) {
    for (const [key, v] of Object.entries(layer.variables)) out[key] = { value: v.value, secret: v.secret, source: layer.source };
  }
  return out;
}

/** "project", "environment production", "deploy": how a source reads in messages. */
export function describeSource(source: VariableSource): string {
  return source.level === 'environment' ? `environment ${source.environment ?? ''}`.trim() : source.level;
}
