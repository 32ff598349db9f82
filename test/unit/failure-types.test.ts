// Whatever ends a deployment is described by one of the documented types (src/errors.ts):
// activities leave failures typed (src/temporal/activity-failures.ts), and the workflow side
// names what is left (workflows/failure.ts).
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { describe, expect, test } from 'vitest';
import { BerthError, ERROR_TYPES } from '../../src/errors.js';
import { typedFailure } from '../../src/temporal/activity-failures.js';
import { describeFailure } from '../../workflows/failure.js';

const fromActivity = (cause: Error) => new ActivityFailure('activity failed', 'someActivity', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'worker', cause);
const connectError = (code: string, syscall = 'connect') => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe('an activity failure leaves typed', () => {
  test.each([
    ['a BerthError keeps its type', new BerthError('RouteNotLive', 'not live'), 'RouteNotLive'],
    ["Docker's socket missing", connectError('ENOENT'), 'Unavailable'],
    ['a refused connection', connectError('ECONNREFUSED'), 'Unavailable'],
    ['fetch failing on a refused connection', new TypeError('fetch failed', { cause: connectError('ECONNREFUSED') }), 'Unavailable'],
    ['the Docker engine answering 500', Object.assign(new Error('server error'), { statusCode: 500 }), 'Unavailable'],
    ['a file that is not there', connectError('ENOENT', 'open'), 'Internal'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 'Internal'],
  ])('%s', (_what, err, type) => {
    const failure = typedFailure(err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(type);
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
  });

  test('an ApplicationFailure passes as it is', () => {
    const failure = ApplicationFailure.nonRetryable('bad', 'ValidationFailed');
    expect(typedFailure(failure)).toBe(failure);
  });
});

describe('what ends a deployment is described by a documented type', () => {
  test.each([
    ['a typed activity failure', fromActivity(ApplicationFailure.retryable('gone', 'Unavailable')), 'Unavailable'],
    ["an untyped one (an older worker's class name)", fromActivity(ApplicationFailure.retryable('x', 'BerthError')), 'Internal'],
    ['a timeout', fromActivity(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)), 'Timeout'],
    ['an error in workflow code', new Error('oops'), 'Internal'],
  ])('%s', (_what, err, type) => {
    const described = describeFailure(err);
    expect(described.type).toBe(type);
    expect(ERROR_TYPES).toContain(described.type);
  });
});
