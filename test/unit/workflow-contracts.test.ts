// The contracts in src/domain/workflow-contracts.ts and the workflows Berth registers agree:
// every contract's type name is an export of workflows/index.ts with the contract's signature
// (checked by the compiler, below), and nothing else is registered.
import { expect, test } from 'vitest';
import { DEPLOY_WORKFLOWS, RETIRED_WORKFLOW_TYPES, WORKFLOWS, type WorkflowFunction } from '../../src/domain/workflow-contracts.js';
import * as registered from '../../workflows/index.js';

type Contract = (typeof WORKFLOWS)[keyof typeof WORKFLOWS];
type Registry = { [C in Contract as C['type']]: WorkflowFunction<C> } & {
  [Name in keyof typeof RETIRED_WORKFLOW_TYPES]: WorkflowFunction<(typeof RETIRED_WORKFLOW_TYPES)[Name]>;
};

// A workflow missing, named otherwise or with another signature fails the type check here.
const implementations: Registry = registered;

test('every registered workflow has a contract, and every contract a workflow', () => {
  const declared = [...Object.values(WORKFLOWS).map((c) => c.type), ...Object.keys(RETIRED_WORKFLOW_TYPES)];
  expect(Object.keys(registered).sort()).toEqual([...declared].sort());
  for (const name of declared) expect(typeof implementations[name as keyof Registry]).toBe('function');
});

test('a retired type name runs the workflow of the contract that replaced it', () => {
  for (const [name, contract] of Object.entries(RETIRED_WORKFLOW_TYPES)) {
    expect(registered[name as keyof typeof registered]).toBe(registered[contract.type as keyof typeof registered]);
  }
});

test('every kind of app has a deploy workflow that takes a DeployRequest', () => {
  expect(Object.keys(DEPLOY_WORKFLOWS).sort()).toEqual(['git', 'image', 'stack', 'static']);
  for (const contract of Object.values(DEPLOY_WORKFLOWS)) expect(Object.keys(registered)).toContain(contract.type);
});
