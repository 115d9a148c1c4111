import type { GatewayConfig } from '@apollo/gateway';
import type { HubContext } from './context';

type QueryPlan = Parameters<NonNullable<GatewayConfig['experimental_didResolveQueryPlan']>>[0]['queryPlan'];
type PlanNode = NonNullable<QueryPlan['node']>;

/**
 * When a request's subject reads are over. In one process every policy decision (and so every field the access
 * log names) is taken inside the subgraph fetches; once the last fetch of the plan has answered, the access record
 * can be committed while the gateway still shapes the response — the commit overlaps that work instead of
 * following it. The response still waits for the commit ("no log, no data").
 */
interface Progress {
  /** Fetches still running; undefined until the plan is known. */
  pending?: number;
  onDone?: () => void;
}

const progress = new WeakMap<HubContext, Progress>();
function of(ctx: HubContext): Progress {
  let p = progress.get(ctx);
  if (!p) progress.set(ctx, (p = {}));
  return p;
}

/**
 * The fetches a plan will certainly make, or null when that cannot be known in advance (deferred or conditional
 * parts, subscriptions). An entity fetch the gateway skips (no representations) leaves the count above zero:
 * then the reads are taken as over only when the response is sent, as without this.
 */
export function certainFetches(plan: QueryPlan): number | null {
  return plan.node ? countFetches(plan.node) : 0;
}

function countFetches(node: PlanNode): number | null {
  switch (node.kind) {
    case 'Fetch':
      return 1;
    case 'Flatten':
      return countFetches(node.node);
    case 'Sequence':
    case 'Parallel': {
      let n = 0;
      for (const child of node.nodes) {
        const c = countFetches(child);
        if (c === null) return null;
        n += c;
      }
      return n;
    }
    default:
      return null;
  }
}

/** The gateway resolved the request's plan (in-process topology only). */
export function expectFetches(ctx: HubContext, fetches: number | null): void {
  if (fetches !== null && fetches > 0) of(ctx).pending = fetches;
}

/** One fetch of the request has answered (or failed). */
export function fetchDone(ctx: HubContext): void {
  const p = progress.get(ctx);
  if (!p?.pending) return;
  if (--p.pending === 0) p.onDone?.();
}

/**
 * Calls `fn` once every planned fetch has answered — never, if that is not known (see certainFetches).
 * Registered before the plan is resolved (when execution starts).
 */
export function whenReadsDone(ctx: HubContext, fn: () => void): void {
  of(ctx).onDone = fn;
}
