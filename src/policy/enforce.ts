import { GraphQLError, isObjectType, isAbstractType, getNamedType, defaultFieldResolver, type GraphQLSchema, type GraphQLFieldResolver } from 'graphql';
import { loader, type HubContext } from '../federation/context';
import { CallerType } from '../identity/caller';
import { activeRelationships } from '../exposure/read';
import { FIELD_POLICY_EXTENSION, type DatasetCode, type FieldPolicy } from './catalog';
import { decideDataset, DENY_MESSAGES, type ApprovalFact, type ConsentFact, type DatasetDecision, type FieldDecision } from './decide';
import { applyMask } from './masks';
import { activePolicyRules } from './rules';
import { Purpose } from './purposes';
import { loadApprovals, loadConsents } from './store';

/** A policy-controlled field of the executable schema: `Type.field` and its catalog entry. */
export interface PolicedField {
  key: string;
  policy: FieldPolicy;
}

/** What the request decided for one field of one subject (the access log's raw material). */
export interface FieldOutcome {
  dataset: DatasetCode;
  field: string;
  decision: FieldDecision['decision'];
  reason?: string;
}

/** Everything the request decided about one subject. */
export interface SubjectPolicy {
  /** dataset → decision (or its pending computation), computed once. */
  decisions: Map<DatasetCode, DatasetDecision | Promise<DatasetDecision>>;
  /** The fields read, each with the decision applied (the first one, if read several times). */
  trail: Map<PolicedField, FieldDecision>;
  /** Consent / approval ids relied on. */
  consentIds: Set<string>;
  approvalIds: Set<string>;
}

/** Per-request policy state, one entry per subject the request touched. */
export interface RequestPolicy {
  subjects: Map<string, SubjectPolicy>;
  /** When the request's decisions are taken. */
  now?: Date;
  approvals?: Promise<ApprovalFact[]>;
  /** Decision inputs once loaded, so later decisions of the request are computed without a promise. */
  loaded: { approvals?: ApprovalFact[]; consents: Map<string, ConsentFact[]>; related: Map<string, boolean> };
}

export function requestPolicy(ctx: HubContext): RequestPolicy {
  const holder = ctx as HubContext & { policy?: RequestPolicy };
  holder.policy ??= { subjects: new Map(), loaded: { consents: new Map(), related: new Map() } };
  return holder.policy;
}

function subjectPolicy(policy: RequestPolicy, subjectId: string): SubjectPolicy {
  let found = policy.subjects.get(subjectId);
  if (!found) policy.subjects.set(subjectId, (found = { decisions: new Map(), trail: new Map(), consentIds: new Set(), approvalIds: new Set() }));
  return found;
}

/** The subjects whose fields the request read, each with every field's outcome (for the access log and metrics). */
export function* readOutcomes(ctx: HubContext): Generator<{ subjectId: string; subject: SubjectPolicy; fields: FieldOutcome[] }> {
  const policy = (ctx as HubContext & { policy?: RequestPolicy }).policy;
  if (!policy) return;
  for (const [subjectId, subject] of policy.subjects) {
    if (!subject.trail.size) continue;
    const fields: FieldOutcome[] = [];
    for (const [f, d] of subject.trail) fields.push({ dataset: f.policy.dataset, field: f.key, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}) });
    yield { subjectId, subject, fields };
  }
}

/** The reporting institution always sees its own contracts: it is the source of that data. */
function reportedByCaller(parent: Record<string, unknown>, ctx: HubContext): boolean {
  const org = ctx.caller.orgCode;
  return !!org && (parent.bankCode === org || parent.guarantorCode === org) && (parent.guarantorCode === org || ctx.caller.type === CallerType.BANK);
}

function datasetDecision(ctx: HubContext, subjectId: string, dataset: DatasetCode): DatasetDecision | Promise<DatasetDecision> {
  const policy = requestPolicy(ctx);
  const subject = subjectPolicy(policy, subjectId);
  return decisionOf(ctx, policy, subject, subjectId, dataset);
}

function decisionOf(ctx: HubContext, policy: RequestPolicy, subject: SubjectPolicy, subjectId: string, dataset: DatasetCode): DatasetDecision | Promise<DatasetDecision> {
  const cached = subject.decisions.get(dataset);
  if (cached) return cached;
  const settle = (d: DatasetDecision) => {
    subject.decisions.set(dataset, d);
    // The consent and approval a decision relies on are what the access record names (once per subject × dataset).
    if (d.base.consentId) subject.consentIds.add(d.base.consentId);
    if (d.base.approvalId) subject.approvalIds.add(d.base.approvalId);
    return d;
  };
  // Inputs already loaded (the usual case after the request's first list): decide synchronously.
  const inputs = loadedInputs(ctx, policy, subjectId);
  if (inputs) return settle(decide(ctx, subjectId, dataset, inputs));
  const pending = computeDecision(ctx, policy, subjectId, dataset).then(settle);
  subject.decisions.set(dataset, pending);
  return pending;
}

type DecisionInputs = { consents: ConsentFact[]; approvals: ApprovalFact[]; hasRelationship: boolean };

function needs(ctx: HubContext) {
  const { caller, purpose } = ctx;
  const institution = !!caller.orgCode && (caller.type === CallerType.BANK || caller.type === CallerType.GUARANTOR || caller.type === CallerType.REGULATOR);
  return { institution, consents: institution && purpose !== Purpose.SUPERVISION, relationship: institution && purpose === Purpose.POST_LOAN_MANAGEMENT };
}

function loadedInputs(ctx: HubContext, policy: RequestPolicy, subjectId: string): DecisionInputs | null {
  const need = needs(ctx);
  const { loaded } = policy;
  if (need.institution && !loaded.approvals) return null;
  if (need.consents && !loaded.consents.has(subjectId)) return null;
  if (need.relationship && !loaded.related.has(subjectId)) return null;
  return { consents: loaded.consents.get(subjectId) ?? [], approvals: loaded.approvals ?? [], hasRelationship: loaded.related.get(subjectId) ?? false };
}

function decide(ctx: HubContext, subjectId: string, dataset: DatasetCode, inputs: DecisionInputs): DatasetDecision {
  // One instant per request: every decision of the request is taken at the same time.
  const policy = requestPolicy(ctx);
  policy.now ??= new Date();
  return decideDataset({ caller: ctx.caller, purpose: ctx.purpose, subjectId, dataset, ...inputs, now: policy.now, rules: activePolicyRules() });
}

/**
 * Starts loading a subject's consents (and relationship, for post-loan reads) as soon as the subject
 * enters the request, so all subjects of a request share one batch even when their records arrive
 * in different ticks. Failures surface later, when the decision is needed.
 */
export function primePolicy(ctx: HubContext, subjectId: string): void {
  const { caller, purpose } = ctx;
  if (!caller?.orgCode || !purpose) return;
  if (caller.type !== CallerType.BANK && caller.type !== CallerType.GUARANTOR) return;
  if (purpose === Purpose.POST_LOAN_MANAGEMENT) relationshipLoader(ctx).load(subjectId).catch(() => undefined);
  else consentLoader(ctx).load(subjectId).catch(() => undefined);
}

async function computeDecision(ctx: HubContext, policy: RequestPolicy, subjectId: string, dataset: DatasetCode): Promise<DatasetDecision> {
  const need = needs(ctx);
  const [consents, approvals, hasRelationship] = await Promise.all([
    need.consents ? consentLoader(ctx).load(subjectId) : Promise.resolve([] as ConsentFact[]),
    need.institution ? (policy.approvals ??= loadApprovals(ctx.db, ctx.caller.orgCode!).then((a) => (policy.loaded.approvals = a))) : Promise.resolve([] as ApprovalFact[]),
    need.relationship ? relationshipLoader(ctx).load(subjectId) : Promise.resolve(false),
  ]);
  if (need.consents) policy.loaded.consents.set(subjectId, consents);
  if (need.relationship) policy.loaded.related.set(subjectId, hasRelationship);
  return decide(ctx, subjectId, dataset, { consents, approvals, hasRelationship });
}

function consentLoader(ctx: HubContext) {
  return loader<string, ConsentFact[]>(ctx, 'policy.consents', async (ids) => {
    const found = await loadConsents(ctx.db, ctx.caller.orgCode!, ids);
    return ids.map((id) => found.get(id) ?? []);
  });
}

function relationshipLoader(ctx: HubContext) {
  return loader<string, boolean>(ctx, 'policy.relationships', async (ids) => {
    const related = await activeRelationships(ctx.db, ctx.caller.orgCode!, ids);
    return ids.map((id) => related.has(id));
  });
}

function note(subject: SubjectPolicy, field: PolicedField, d: FieldDecision): void {
  if (!subject.trail.has(field)) subject.trail.set(field, d);
}

/** Reading one's own reported contracts is still a read of subject data: logged as ALLOW. */
const OWN_REPORT = Object.freeze({ decision: 'ALLOW', reason: 'OWN_REPORT', rule: 'unconditional.open' }) as unknown as FieldDecision;

function apply(row: Record<string, unknown>, value: unknown, subject: SubjectPolicy, field: PolicedField, fieldName: string, dd: DatasetDecision): unknown {
  const d = dd.field(field.policy);
  note(subject, field, d);
  if (d.decision === 'ALLOW') return value;
  if (d.decision === 'MASK') return applyMask(d.mask!, value, { amountBandBoundariesYuan: activePolicyRules().amountBandBoundariesYuan });
  // One error per denied path, never the value: the code says why, the dataset and rule say where.
  // A denial is an expected outcome, not a fault: no stack trace (capturing one per denied field dominates large batches).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(`${fieldName}: ${DENY_MESSAGES[d.reason!]}`, {
      extensions: { code: 'FORBIDDEN', reason: d.reason, dataset: field.policy.dataset, rule: d.rule, subjectId: row.subjectId ?? row.id },
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Wraps every field that carries `@SubjectData` policy in the executable subgraph schema: the resolver
 * runs as before, then the request's decision for (subject, dataset) is looked up and applied.
 * Subgraph services enforce this themselves from the gateway-forwarded identity (zero trust).
 */
export function enforceFieldPolicies(typeGraphqlSchema: GraphQLSchema, subgraphSchema: GraphQLSchema): Map<string, FieldPolicy> {
  const policies = fieldPolicies(typeGraphqlSchema);
  for (const [key, policy] of policies) {
    const [typeName, fieldName] = key.split('.');
    const type = subgraphSchema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[fieldName];
    if (!field) continue;
    const inner: GraphQLFieldResolver<unknown, HubContext> = field.resolve ?? defaultFieldResolver;
    const plain = inner === defaultFieldResolver;
    const policed: PolicedField = { key, policy };
    const { dataset } = policy;
    // Hot path (every policed field of every record): one subject lookup, one decision lookup, one memoised field decision.
    field.resolve = (parent, args, ctx, info) => {
      const row = parent as Record<string, unknown>;
      const value = plain ? row[fieldName] : inner(parent, args, ctx, info);
      const subjectId = String(row.subjectId ?? row.id);
      const policy = requestPolicy(ctx);
      const subject = subjectPolicy(policy, subjectId);
      if (reportedByCaller(row, ctx)) {
        note(subject, policed, OWN_REPORT);
        return value;
      }
      const dd = decisionOf(ctx, policy, subject, subjectId, dataset);
      if (!(dd instanceof Promise) && !(value instanceof Promise)) return apply(row, value, subject, policed, fieldName, dd);
      return Promise.all([dd, value]).then(([d, v]) => apply(row, v, subject, policed, fieldName, d));
    };
  }
  settleDecisionsBeforeChildren(subgraphSchema, policies);
  return policies;
}

/**
 * Every field that returns objects carrying policy-controlled fields waits, once, for the decisions of
 * the returned subjects × datasets before graphql-js descends into them. The per-field lookups below
 * then take the synchronous path: one promise per list instead of one per field.
 */
function settleDecisionsBeforeChildren(schema: GraphQLSchema, policies: Map<string, FieldPolicy>): void {
  const datasetsOfType = new Map<string, Set<DatasetCode>>();
  for (const [key, policy] of policies) {
    const typeName = key.split('.')[0];
    if (!datasetsOfType.has(typeName)) datasetsOfType.set(typeName, new Set());
    datasetsOfType.get(typeName)!.add(policy.dataset);
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type);
      const possible = isAbstractType(returned) ? schema.getPossibleTypes(returned) : isObjectType(returned) ? [returned] : [];
      const datasets = [...new Set(possible.flatMap((t) => [...(datasetsOfType.get(t.name) ?? [])]))];
      if (!datasets.length) continue;
      const inner: GraphQLFieldResolver<unknown, HubContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, ctx, info) => {
        const value = inner(parent, args, ctx, info);
        return value instanceof Promise ? value.then((v) => settle(ctx, v, datasets)) : settle(ctx, value, datasets);
      };
    }
  }
}

function settle(ctx: HubContext, value: unknown, datasets: DatasetCode[]): unknown {
  const pending: Array<Promise<DatasetDecision>> = [];
  const visit = (item: unknown) => {
    if (Array.isArray(item)) return item.forEach(visit);
    if (!item || typeof item !== 'object' || item instanceof Error) return;
    const row = item as Record<string, unknown>;
    const subjectId = row.subjectId ?? row.id;
    if (typeof subjectId !== 'string') return;
    for (const dataset of datasets) {
      const d = datasetDecision(ctx, subjectId, dataset);
      if (d instanceof Promise) pending.push(d);
    }
  };
  visit(value);
  // A failed decision surfaces on the fields that need it, not on the list.
  return pending.length ? Promise.allSettled(pending).then(() => value) : value;
}

/** `Type.field` → policy, for every object-type field declared with `@SubjectData` (interface fields apply to their implementations). */
export function fieldPolicies(schema: GraphQLSchema): Map<string, FieldPolicy> {
  const found = new Map<string, FieldPolicy>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const own = field.extensions?.[FIELD_POLICY_EXTENSION] as FieldPolicy | undefined;
      const inherited = type.getInterfaces().map((i) => i.getFields()[field.name]?.extensions?.[FIELD_POLICY_EXTENSION] as FieldPolicy | undefined).find(Boolean);
      const policy = own ?? inherited;
      if (policy) found.set(`${type.name}.${field.name}`, policy);
    }
  }
  return found;
}
