import { describe, expect, test } from 'vitest';
import { orphanContainers, planContainers, type ObservedContainer } from '../../src/domain/reconcile-plan.js';

const c = (id: string, replica: number, running: boolean, releaseId = 'rel_live', deploymentId = 'dep_b'): ObservedContainer => ({
  id,
  replica,
  running,
  releaseId,
  deploymentId,
});
const desired = { releaseId: 'rel_live', deploymentId: 'dep_b', replicas: 2 };

describe('planContainers', () => {
  test('nothing to do when every replica runs once', () => {
    expect(planContainers(desired, [c('a', 0, true), c('b', 1, true)])).toEqual({ serving: ['a', 'b'], actions: [] });
  });

  test('an exited replica is started, a missing one recreated', () => {
    const plan = planContainers(desired, [c('a', 0, false)]);
    expect(plan.serving).toEqual(['a', null]);
    expect(plan.actions.map((a) => [a.kind, a.replica])).toEqual([
      ['start', 0],
      ['recreate', 1],
    ]);
  });

  test('of two stopped copies, the newest deployment is started; extra running copies are stopped', () => {
    const plan = planContainers({ ...desired, replicas: 1 }, [c('old', 0, false, 'rel_live', 'dep_a'), c('new', 0, false, 'rel_live', 'dep_c')]);
    expect(plan.actions).toMatchObject([{ kind: 'start', containerId: 'new' }]);
    const dup = planContainers({ ...desired, replicas: 1 }, [c('x', 0, true, 'rel_live', 'dep_a'), c('y', 0, true, 'rel_live', 'dep_c')]);
    expect(dup.serving).toEqual(['y']);
    expect(dup.actions).toMatchObject([{ kind: 'stop-duplicate', containerId: 'x' }]);
  });

  test('containers of other releases are not the live release, and are stopped when they run', () => {
    const plan = planContainers({ ...desired, replicas: 1 }, [c('other', 0, true, 'rel_old'), c('kept', 0, false, 'rel_older')]);
    expect(plan.actions).toMatchObject([
      { kind: 'recreate', replica: 0 },
      { kind: 'stop-not-live', containerId: 'other' },
    ]);
  });

  test('a spread host heals its own share only: replica 1 of 2 runs there, replica 0 is not missing', () => {
    const share = { ...desired, replicas: 2, replicaIndices: [1] };
    expect(planContainers(share, [c('b', 1, true)])).toEqual({ serving: ['b'], actions: [] });
    const healed = planContainers(share, [c('b', 1, false)]);
    expect(healed.serving).toEqual(['b']);
    expect(healed.actions).toMatchObject([{ kind: 'start', replica: 1, containerId: 'b' }]);
    expect(planContainers({ ...share, replicaIndices: [1, 3] }, [c('b', 1, true)]).actions).toMatchObject([{ kind: 'recreate', replica: 3 }]);
  });

  test('the release in its hot-standby window is left running; others are still stopped', () => {
    const observed = [c('a', 0, true), c('standby', 0, true, 'rel_prev'), c('older', 0, true, 'rel_older')];
    const plan = planContainers({ ...desired, replicas: 1, standbyReleaseId: 'rel_prev' }, observed);
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'stop-not-live', containerId: 'older' })]);
    expect(planContainers({ ...desired, replicas: 1, standbyReleaseId: null }, observed).actions).toHaveLength(2);
  });
});

test('orphans: not retained and not part of a deployment in progress', () => {
  const observed = [c('keep', 0, true, 'rel_live'), c('gone', 0, false, 'rel_pruned', 'dep_a'), c('busy', 0, true, 'rel_new', 'dep_running')];
  expect(orphanContainers(observed, new Set(['rel_live']), new Set(['dep_running'])).map((o) => o.id)).toEqual(['gone']);
});
