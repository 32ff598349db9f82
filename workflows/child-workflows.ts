// Child workflows started by their contracts (src/domain/workflow-contracts.ts): the type name
// and the arguments come from the contract, so a parent never names a child by a bare string.
import { executeChild, startChild, type ChildWorkflowHandle, type ChildWorkflowOptions, type WithWorkflowArgs } from '@temporalio/workflow';
import type { WorkflowArgs, WorkflowContract, WorkflowFunction, WorkflowResult } from '../src/domain/workflow-contracts.js';

export type ChildOptions<C> = Omit<ChildWorkflowOptions, 'args'> & { args: WorkflowArgs<C> };

// Temporal's option types are conditional on the child's arguments, which TypeScript cannot
// resolve for a generic contract: the contract has typed them already, so the options are cast.
type Options<C> = WithWorkflowArgs<WorkflowFunction<C>, ChildWorkflowOptions>;

export function startChildWorkflow<C extends WorkflowContract>(contract: C, options: ChildOptions<C>): Promise<ChildWorkflowHandle<WorkflowFunction<C>>> {
  return startChild<WorkflowFunction<C>>(contract.type, options as unknown as Options<C>);
}

export function executeChildWorkflow<C extends WorkflowContract>(contract: C, options: ChildOptions<C>): Promise<WorkflowResult<C>> {
  return executeChild<WorkflowFunction<C>>(contract.type, options as unknown as Options<C>) as Promise<WorkflowResult<C>>;
}
