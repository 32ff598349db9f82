// Starting, signalling and scheduling Berth's workflows by their contracts: the type name comes
// from src/domain/workflow-contracts.ts and the arguments and result are typed by it, so no
// caller spells a workflow's name or imports workflows/. Everything runs on the control queue.
import type {
  Client,
  ScheduleOptionsStartWorkflowAction,
  SignalDefinition,
  WithWorkflowArgs,
  WorkflowHandle,
  WorkflowOptions,
  WorkflowSignalWithStartOptions,
  WorkflowStartOptions,
} from '@temporalio/client';
import { CONTROL_TASK_QUEUE } from '../domain/task-queues.js';
import type { WorkflowArgs, WorkflowContract, WorkflowFunction, WorkflowResult } from '../domain/workflow-contracts.js';

export type StartOptions<C> = Omit<WorkflowOptions, 'taskQueue'> & { args: WorkflowArgs<C> };

// Temporal's option types are conditional on the workflow's arguments, which TypeScript cannot
// resolve for a generic contract: the contract has typed them already, so the options are cast.
type Options<C> = WorkflowStartOptions<WorkflowFunction<C>>;

export function startWorkflow<C extends WorkflowContract>(temporal: Client, contract: C, options: StartOptions<C>): Promise<WorkflowHandle<WorkflowFunction<C>>> {
  return temporal.workflow.start<WorkflowFunction<C>>(contract.type, { taskQueue: CONTROL_TASK_QUEUE, ...options } as unknown as Options<C>);
}

/** Starts the workflow and waits for its result. */
export function executeWorkflow<C extends WorkflowContract>(temporal: Client, contract: C, options: StartOptions<C>): Promise<WorkflowResult<C>> {
  return temporal.workflow.execute<WorkflowFunction<C>>(contract.type, { taskQueue: CONTROL_TASK_QUEUE, ...options } as unknown as Options<C>) as Promise<WorkflowResult<C>>;
}

/** Signals the workflow, starting it first when no run of its id is open. */
export function signalWithStart<C extends WorkflowContract, SignalArgs extends unknown[]>(
  temporal: Client,
  contract: C,
  signal: SignalDefinition<SignalArgs>,
  options: StartOptions<C> & { signalArgs: SignalArgs },
): Promise<WorkflowHandle<WorkflowFunction<C>>> {
  return temporal.workflow.signalWithStart<WorkflowFunction<C>, SignalArgs>(contract.type, {
    taskQueue: CONTROL_TASK_QUEUE,
    ...options,
    signal,
  } as unknown as WithWorkflowArgs<WorkflowFunction<C>, WorkflowSignalWithStartOptions<SignalArgs>>);
}

/** The action of a Temporal Schedule that starts the workflow. */
export function scheduledStart<C extends WorkflowContract>(contract: C, options: { workflowId: string; args: WorkflowArgs<C> }): ScheduleOptionsStartWorkflowAction<WorkflowFunction<C>> {
  return { type: 'startWorkflow', workflowType: contract.type, taskQueue: CONTROL_TASK_QUEUE, ...options } as ScheduleOptionsStartWorkflowAction<WorkflowFunction<C>>;
}
