import type { HubContext } from '../src/federation/context';
import { certainFetches, expectFetches, fetchDone, whenReadsDone } from '../src/federation/plan-progress';

type Plan = Parameters<typeof certainFetches>[0];
const fetch = { kind: 'Fetch' } as never;
const plan = (node: unknown): Plan => ({ kind: 'QueryPlan', node }) as Plan;
const ctx = () => ({}) as HubContext;

describe('plan progress (when a request has read everything it will)', () => {
  it('counts the fetches a plan certainly makes', () => {
    expect(certainFetches(plan(fetch))).toBe(1);
    expect(certainFetches(plan({ kind: 'Sequence', nodes: [fetch, { kind: 'Parallel', nodes: [{ kind: 'Flatten', node: fetch }, { kind: 'Flatten', node: fetch }] }] }))).toBe(3);
    expect(certainFetches(plan(undefined))).toBe(0);
  });

  it('cannot tell for deferred, conditional or subscription plans', () => {
    expect(certainFetches(plan({ kind: 'Sequence', nodes: [fetch, { kind: 'Condition', condition: 'x' }] }))).toBeNull();
    expect(certainFetches(plan({ kind: 'Defer', primary: {}, deferred: [] }))).toBeNull();
    expect(certainFetches(plan({ kind: 'Subscription' }))).toBeNull();
  });

  it('calls back once, after the last planned fetch, even when registered before the plan is known', () => {
    const c = ctx();
    const done = jest.fn();
    whenReadsDone(c, done);
    expectFetches(c, 2);
    fetchDone(c);
    expect(done).not.toHaveBeenCalled();
    fetchDone(c);
    expect(done).toHaveBeenCalledTimes(1);
    fetchDone(c); // a stray completion changes nothing
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('never calls back when the plan could not be counted or a planned fetch never ran', () => {
    const unknown = ctx();
    const never = jest.fn();
    whenReadsDone(unknown, never);
    expectFetches(unknown, null);
    fetchDone(unknown);
    const skipped = ctx();
    whenReadsDone(skipped, never);
    expectFetches(skipped, 3);
    fetchDone(skipped);
    fetchDone(skipped); // the third (an entity fetch with nothing to fetch) is skipped by the gateway
    expect(never).not.toHaveBeenCalled();
  });
});
