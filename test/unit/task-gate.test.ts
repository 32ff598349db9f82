// Which ended Swarm tasks are the engine's doing (a daemon restart) rather than the service's
// failure: those are waited out, the others end the wait.
import { expect, test } from 'vitest';
import { endedByEngine, type Task } from '../../activities/swarm/task-gate.js';

const task = (createdAt: string, status: Task['Status']): Task => ({ ID: 't1', CreatedAt: createdAt, Status: status });
const BACK = Date.parse('2026-11-29T12:00:10Z');

test('a task whose container went with the engine is the engine’s doing', () => {
  expect(endedByEngine(task('2026-11-29T12:00:20Z', { State: 'failed', Err: 'No such container: berth-x_web.1.abc' }), 0)).toBe(true);
  expect(endedByEngine(task('2026-11-29T12:00:20Z', { State: 'shutdown', Message: 'shutting down' }), 0)).toBe(true);
});

test('a task made before the node came back ended with the restart', () => {
  expect(endedByEngine(task('2026-11-29T12:00:05Z', { State: 'failed', Err: 'task: non-zero exit (143)' }), BACK)).toBe(true);
});

test('a task made since, failing on its own, is the service’s failure', () => {
  expect(endedByEngine(task('2026-11-29T12:00:15Z', { State: 'failed', Err: 'task: non-zero exit (1)' }), BACK)).toBe(false);
  expect(endedByEngine(task('2026-11-29T12:00:15Z', { State: 'complete', Message: 'finished' }), BACK)).toBe(false);
  // When the node's record cannot be read, only the task's own words count.
  expect(endedByEngine(task('2026-11-29T12:00:05Z', { State: 'failed', Err: 'task: non-zero exit (1)' }), 0)).toBe(false);
  expect(endedByEngine(task('2026-11-29T12:00:05Z', { State: 'rejected', Err: 'No such image: nope:1' }), 0)).toBe(false);
});
