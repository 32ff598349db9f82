// The body of a stack dry run: the normalised services (environment values masked: they may hold
// secrets), networks, volumes, secrets and configs by name, the rollout levels, the routes, the
// variables used unset, and what Berth translated or ignored.
import type { CompiledStack } from '../src/compose/compile-stack.js';
import { serviceHosts } from '../src/domain/stack.js';

export function dryRunBody({ stack, plan, unsetVariables, warnings }: CompiledStack, hosts: string[]) {
  const services = Object.fromEntries(
    Object.values(stack.services).map((s) => [s.name, { ...s, environment: Object.fromEntries(Object.keys(s.environment).map((k) => [k, '***'])) }]),
  );
  return {
    services,
    networks: Object.keys(stack.networks),
    volumes: Object.keys(stack.volumes),
    secrets: Object.keys(stack.secrets),
    configs: Object.keys(stack.configs),
    rolloutOrder: plan.levels,
    routes: Object.values(stack.services).flatMap((s) => (s.expose ? [{ service: s.name, hosts: serviceHosts(s.name, s.expose, hosts), port: s.expose.port, healthPath: s.expose.path }] : [])),
    unsetVariables,
    warnings,
  };
}
