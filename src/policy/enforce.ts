import { GraphQLError, isObjectType, isAbstractType, getNamedType, defaultFieldResolver, Kind, type DirectiveNode, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema, type GraphQLFieldResolver, type SelectionSetNode } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';
import { loader, type HubContext } from '../federation/context';
import { CallerType } from '../identity/caller';
import { activeRelationships } from '../exposure/read';
import { FIELD_POLICY_EXTENSION, type DatasetCode, type FieldPolicy } from './catalog';
import { requestDecider, subjectDecisionKey, DENY_MESSAGES, type ApprovalFact, type ConsentFact, type DatasetDecision, type FieldDecision } from './decide';
import { DATASETS } from './datasets';
import { applyMask } from './masks';
import { activePolicyRules } from './rules';
import { Purpose } from './purposes';
import { loadApprovedApplications, loadConsents, loadConsentsAndApprovals } from './store';

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

/** Fields read and the decision each got: a frozen run, one object process-wide per content (see readChunk). */
type ReadChunk = ReadonlyArray<readonly [PolicedField, FieldDecision]>;

/** Everything the request decided about one subject. */
export interface SubjectPolicy {
  id: string;
  /** Its decisions, shared with the request's subjects decided alike (see Profile); set at its first decision. */
  profile?: Profile;
  /** Its own consent to the caller, where its profile is shared (subjectDecisionKey). */
  consentId?: string;
  /** The datasets decided for it so far (bits of DATASET_BITS): their consent and approval are in the lists below. */
  decided: number;
  /**
   * The fields read, in reading order, as shared chunks (one per record type and verdict, not one entry per
   * field and subject); a field read several times counts with its first decision.
   */
  reads: ReadChunk[];
  /** Consent / approval ids relied on: sorted frozen lists, the same object for subjects relying on the same ids. */
  consentIds: readonly string[];
  approvalIds: readonly string[];
  /** The access log's outcome list, once built, and how many chunks it covers. */
  outcomes?: readonly FieldOutcome[];
  outcomesOf?: number;
}

/** Per-request policy state, one entry per subject the request touched. */
export interface RequestPolicy {
  subjects: Map<string, SubjectPolicy>;
  /** When the request's decisions are taken. */
  now?: Date;
  approvals?: Promise<ApprovalFact[]>;
  /** The approvals, waiting to be read with the next consent batch (one statement for both). */
  approvalsRider?: { resolve: (approvals: ApprovalFact[]) => void; reject: (e: unknown) => void };
  /** Subjects whose consents were asked for (loaded or in flight). */
  consentsAsked: Set<string>;
  /** Decision inputs once loaded, so later decisions of the request are computed without a promise. */
  loaded: { approvals?: ApprovalFact[]; consents: Map<string, ConsentFact[]>; related: Map<string, boolean> };
  /** The request's decisions, once its approvals are loaded. */
  decider?: ReturnType<typeof requestDecider>;
  /** Set only in the policy-cost benchmark's comparison build: nothing is decided, so no inputs are loaded. */
  undecided?: true;
  needs?: Needs;
  /** Profiles of the subjects decided alike, by their decision key (subjectDecisionKey). */
  profiles?: Map<string, Profile>;
  /** The request's selections of policy-controlled fields, per field node set and type (see selectedPolicedFields). */
  selections?: Map<readonly FieldNode[], Map<string, Selection>>;
}

/**
 * The decisions of the request's subjects whose facts are alike (the same decision key: same kind of consent, same
 * relationship): dataset → decision, taken once for all of them. A subject that must be decided on its own has
 * a profile of its own.
 */
interface Profile {
  decisions: Map<DatasetCode, DatasetDecision>;
  /** Shared by several subjects: a decision's consent id is then each subject's own (SubjectPolicy.consentId). */
  shared: boolean;
}

/** One bit per dataset, for SubjectPolicy.decided. */
const DATASET_BITS = Object.fromEntries(Object.keys(DATASETS).map((d, i) => [d, 2 ** i])) as Record<DatasetCode, number>;

export function requestPolicy(ctx: HubContext): RequestPolicy {
  const holder = ctx as HubContext & { policy?: RequestPolicy };
  holder.policy ??= { subjects: new Map(), consentsAsked: new Set(), loaded: { consents: new Map(), related: new Map() } };
  return holder.policy;
}

function subjectPolicy(policy: RequestPolicy, subjectId: string): SubjectPolicy {
  let found = policy.subjects.get(subjectId);
  if (!found) policy.subjects.set(subjectId, (found = { id: subjectId, decided: 0, reads: [], consentIds: NO_IDS, approvalIds: NO_IDS }));
  return found;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * `list` with `id` added (sorted, frozen): one object per content, process-wide — subjects and requests relying on
 * the same approvals add the same ids in the same order and share the lists, which the access log's writer then
 * checks and encodes once. Reached from the empty list id by id, so nothing is allocated for a sequence seen before.
 */
let idLists = new Map<readonly string[], Map<string, readonly string[]>>();
let idListCount = 0;
const MAX_ID_LISTS = 50_000;
function withId(list: readonly string[], id: string): readonly string[] {
  if (list.includes(id)) return list;
  let byId = idLists.get(list);
  if (!byId) idLists.set(list, (byId = new Map()));
  let found = byId.get(id);
  if (!found) {
    // Bounded: past the cap, lists are made afresh (still correct, merely not shared with earlier ones).
    if (++idListCount > MAX_ID_LISTS) {
      idLists = new Map();
      idListCount = 0;
    }
    byId.set(id, (found = Object.freeze([...list, id].sort())));
  }
  return found;
}

/** How many fields the request decided, per decision and reason (for metrics): counted once per distinct outcome list. */
export function decisionCounts(ctx: HubContext): { subjects: number; counts: Map<string, DecisionCount> } {
  const counts = new Map<string, DecisionCount>();
  let subjects = 0;
  for (const { fields } of readOutcomes(ctx)) {
    subjects++;
    for (const c of countsOf(fields)) {
      const entry = counts.get(c.label);
      if (entry) entry.n += c.n;
      else counts.set(c.label, { ...c });
    }
  }
  return { subjects, counts };
}

export interface DecisionCount {
  label: string;
  decision: FieldDecision['decision'];
  /** The deny reason, or OWN_REPORT / POLICY_NOT_ENFORCED, or NONE. */
  reason: string;
  n: number;
}

const countsOfList = new WeakMap<readonly FieldOutcome[], readonly DecisionCount[]>();
function countsOf(list: readonly FieldOutcome[]): readonly DecisionCount[] {
  let found = countsOfList.get(list);
  if (found) return found;
  const byLabel = new Map<string, DecisionCount>();
  for (const o of list) {
    const reason = o.reason ?? 'NONE';
    const label = `${o.decision}/${reason}`;
    const entry = byLabel.get(label);
    if (entry) entry.n++;
    else byLabel.set(label, { label, decision: o.decision, reason, n: 1 });
  }
  countsOfList.set(list, (found = Object.freeze([...byLabel.values()].map((c) => Object.freeze(c)))));
  return found;
}

/** The subjects whose fields the request read, each with every field's outcome (for the access log and metrics). */
export function* readOutcomes(ctx: HubContext): Generator<{ subjectId: string; subject: SubjectPolicy; fields: readonly FieldOutcome[] }> {
  const policy = (ctx as HubContext & { policy?: RequestPolicy }).policy;
  if (!policy) return;
  // Subjects (and requests) mostly read the same chunks: they share one frozen outcome list (see outcomeList).
  for (const [subjectId, subject] of policy.subjects) {
    if (!subject.reads.length) continue;
    if (subject.outcomesOf !== subject.reads.length) {
      subject.outcomes = outcomeList(subject.reads);
      subject.outcomesOf = subject.reads.length;
    }
    yield { subjectId, subject, fields: subject.outcomes! };
  }
}

/**
 * Values interned by a sequence of objects, found by walking the sequence through maps keyed by the objects
 * themselves: nothing is allocated for a sequence seen before. `nodes` bounds a process-wide tree (see reset).
 */
interface IdentityTrie<T> {
  next?: Map<unknown, IdentityTrie<T>>;
  value?: T;
}
function stepInto<T>(node: IdentityTrie<T>, key: unknown, tree?: { nodes: number }): IdentityTrie<T> {
  node.next ??= new Map();
  let next = node.next.get(key);
  if (!next) {
    node.next.set(key, (next = {}));
    if (tree) tree.nodes++;
  }
  return next;
}
/** A tree's root, started afresh once it holds `max` nodes (its values stay correct, merely no longer shared). */
function rootOf<T>(tree: { root: IdentityTrie<T>; nodes: number }, max: number): IdentityTrie<T> {
  if (tree.nodes >= max) {
    tree.root = {};
    tree.nodes = 0;
  }
  return tree.root;
}

/** Outcome lists by the sequence of a subject's chunks. */
const readsTree: { root: IdentityTrie<readonly FieldOutcome[]>; nodes: number } = { root: {}, nodes: 0 };
const MAX_READS_NODES = 100_000;

/**
 * One frozen list per distinct content, process-wide: lists are in field order, not in the order resolvers
 * happened to finish, and the same read of the same request shape hands the access log the very same list
 * object — which it validated, encoded and hashed once (and stores once). Found by walking the subject's chunks
 * through a tree keyed by the (interned) chunks themselves: nothing is allocated for a sequence seen before.
 */
const listsByContent = new Map<string, readonly FieldOutcome[]>();
const MAX_INTERNED_LISTS = 5000;
function outcomeList(reads: readonly ReadChunk[]): readonly FieldOutcome[] {
  let node = rootOf(readsTree, MAX_READS_NODES);
  for (const chunk of reads) node = stepInto(node, chunk, readsTree);
  return (node.value ??= contentList(reads));
}

function contentList(reads: readonly ReadChunk[]): readonly FieldOutcome[] {
  const list: FieldOutcome[] = [];
  const seen = new Set<string>();
  for (const chunk of reads) {
    for (const [f, d] of chunk) {
      // A field read several times is logged with its first decision.
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      const outcome: FieldOutcome = { dataset: f.policy.dataset, field: f.key, decision: d.decision };
      if (d.reason) outcome.reason = d.reason;
      list.push(Object.freeze(outcome));
    }
  }
  list.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const content = list.map((o) => o.field + '\u0000' + o.decision + '\u0000' + (o.reason ?? '')).join('\u0001');
  let found = listsByContent.get(content);
  if (!found) {
    if (listsByContent.size >= MAX_INTERNED_LISTS) listsByContent.clear();
    listsByContent.set(content, (found = Object.freeze(list)));
  }
  return found;
}

/**
 * The chunk for these fields and decisions: one frozen object per content, process-wide, so a subject's reads are
 * a few references and sequences of them are recognised by identity (outcomeList).
 * Found by walking the (field, decision) pairs through a tree keyed by the objects themselves — field decisions are
 * memoised process-wide (decide.ts), so a request asking what an earlier one asked allocates nothing here; only a
 * sequence not seen before is keyed by its content.
 */
const chunksByContent = new Map<string, ReadChunk>();
const MAX_CHUNKS = 5000;
const chunkTree: { root: IdentityTrie<ReadChunk>; nodes: number } = { root: {}, nodes: 0 };
function readChunk(notes: Array<readonly [PolicedField, FieldDecision]>): ReadChunk {
  let node = rootOf(chunkTree, MAX_CHUNKS * 4);
  for (const [f, d] of notes) node = stepInto(stepInto(node, f, chunkTree), d, chunkTree);
  return (node.value ??= chunkOfContent(notes));
}

function chunkOfContent(notes: Array<readonly [PolicedField, FieldDecision]>): ReadChunk {
  let content = '';
  for (const [f, d] of notes) content += f.key + '\u0000' + d.decision + '\u0000' + (d.reason ?? '') + '\u0000' + d.rule + '\u0000' + (d.mask ?? '') + '\u0001';
  let found = chunksByContent.get(content);
  if (!found) {
    if (chunksByContent.size >= MAX_CHUNKS) chunksByContent.clear();
    chunksByContent.set(content, (found = Object.freeze(notes.map((n) => Object.freeze(n)))));
  }
  return found;
}

/** One field's chunk per decision (computed fields note theirs one record at a time). */
const singleChunks = new WeakMap<PolicedField, Map<FieldDecision, ReadChunk>>();
function noteField(subject: SubjectPolicy, field: PolicedField, d: FieldDecision): void {
  let byDecision = singleChunks.get(field);
  if (!byDecision) singleChunks.set(field, (byDecision = new Map()));
  let chunk = byDecision.get(d);
  if (!chunk) byDecision.set(d, (chunk = readChunk([[field, d]])));
  noteChunk(subject, chunk);
}

function noteChunk(subject: SubjectPolicy, chunk: ReadChunk): void {
  // A list's records of one subject note the same chunk one after another: kept once.
  if (subject.reads[subject.reads.length - 1] !== chunk) subject.reads.push(chunk);
}

/** The reporting institution always sees its own contracts: it is the source of that data. */
function reportedByCaller(parent: Record<string, unknown>, ctx: HubContext): boolean {
  const org = ctx.caller.orgCode;
  return !!org && (parent.bankCode === org || parent.guarantorCode === org) && (parent.guarantorCode === org || ctx.caller.type === CallerType.BANK);
}

/** The decision for (subject, dataset), taken once per request; the inputs must have been loaded ({@link loadInputs}). */
function decisionOf(ctx: HubContext, policy: RequestPolicy, subject: SubjectPolicy, dataset: DatasetCode): DatasetDecision {
  const profile = subject.profile ?? profileOf(ctx, policy, subject);
  let d = profile.decisions.get(dataset);
  if (!d) {
    const { loaded } = policy;
    d = policy.decider!({ subjectId: subject.id, dataset, consents: loaded.consents.get(subject.id) ?? NO_CONSENTS, hasRelationship: loaded.related.get(subject.id) === true });
    profile.decisions.set(dataset, d);
  }
  // The consent and approval a decision relies on are what the subject's access record names (once per subject × dataset).
  const bit = DATASET_BITS[dataset];
  if (!(subject.decided & bit)) {
    subject.decided |= bit;
    if (d.consentId) subject.consentIds = withId(subject.consentIds, profile.shared ? subject.consentId! : d.consentId);
    if (d.base.approvalId) subject.approvalIds = withId(subject.approvalIds, d.base.approvalId);
  }
  return d;
}

/** The subject's profile: shared with the subjects of the request decided alike, else its own. The inputs must have been loaded. */
function profileOf(ctx: HubContext, policy: RequestPolicy, subject: SubjectPolicy): Profile {
  const { loaded } = policy;
  if (inputsMissing(ctx, policy, [subject.id], itself)) {
    throw new Error('policy inputs for a subject were not loaded before deciding it');
  }
  // One instant per request: every decision of the request is taken at the same time.
  const now = (policy.now ??= new Date());
  policy.decider ??= requestDecider({ caller: ctx.caller, purpose: ctx.purpose, approvals: loaded.approvals ?? [], now, rules: activePolicyRules() });
  const consents = loaded.consents.get(subject.id) ?? NO_CONSENTS;
  const alike = subjectDecisionKey({ caller: ctx.caller, now }, { subjectId: subject.id, consents, hasRelationship: loaded.related.get(subject.id) === true });
  if (!alike) return (subject.profile = { decisions: new Map(), shared: false });
  subject.consentId = alike.consentId;
  policy.profiles ??= new Map();
  let profile = policy.profiles.get(alike.key);
  if (!profile) policy.profiles.set(alike.key, (profile = { decisions: new Map(), shared: true }));
  return (subject.profile = profile);
}

/**
 * Loads what the decisions about `subjectIds` need — the caller's approvals once per request, the subjects'
 * consents or relationships in one batch — or returns null when all of it is loaded already (then every
 * decision is taken synchronously).
 */
function loadInputs(ctx: HubContext, policy: RequestPolicy, subjectIds: Iterable<string>): Promise<void> | null {
  // Most calls come after the request's inputs arrived: answered without allocating.
  if (!inputsMissing(ctx, policy, subjectIds, itself)) return null;
  const need = needs(ctx);
  const { loaded } = policy;
  const waits: Array<Promise<unknown>> = [];
  const consents: string[] = [];
  const related: string[] = [];
  let newConsents = false;
  for (const id of subjectIds) {
    if (need.consents && !loaded.consents.has(id)) {
      consents.push(id);
      if (!policy.consentsAsked.has(id)) newConsents = true;
    }
    if (need.relationship && !loaded.related.has(id)) related.push(id);
  }
  if (need.institution && !loaded.approvals) {
    // Once per request, however many lists ask before it arrives: with the consent batch about to be read
    // when there is one. Without a purpose every field is denied before approvals count: nothing to load.
    if (!policy.approvals) {
      const read: Promise<ApprovalFact[]> = !ctx.purpose
        ? Promise.resolve([])
        : newConsents
          ? new Promise((resolve, reject) => (policy.approvalsRider = { resolve, reject }))
          : loadApprovedApplications(ctx.db, ctx.caller.orgCode!, ctx.purpose);
      policy.approvals = read.then((a) => (loaded.approvals = a));
    }
    waits.push(policy.approvals);
  }
  for (const id of consents) policy.consentsAsked.add(id);
  if (consents.length) waits.push(settledAll(consentLoader(ctx).loadMany(consents)).then((found) => found.forEach((c, i) => loaded.consents.set(consents[i], c))));
  if (related.length) waits.push(settledAll(relationshipLoader(ctx).loadMany(related)).then((found) => found.forEach((r, i) => loaded.related.set(related[i], r))));
  return waits.length ? Promise.all(waits).then(() => undefined) : null;
}

/**
 * Whether the decisions about some subjects still need inputs that are not loaded: one pass over `items`, each
 * item's subject told by `subjectOf` (undefined: not decided — the caller's own reports), nothing collected.
 */
function inputsMissing<T>(ctx: HubContext, policy: RequestPolicy, items: Iterable<T>, subjectOf: (item: T) => string | undefined): boolean {
  const need = needs(ctx);
  const { loaded } = policy;
  if (need.institution && !loaded.approvals) return true;
  if (!need.consents && !need.relationship) return false;
  let last: string | undefined;
  for (const item of items) {
    const id = subjectOf(item);
    // A list's records mostly belong to one subject.
    if (id === undefined || id === last) continue;
    last = id;
    if ((need.consents && !loaded.consents.has(id)) || (need.relationship && !loaded.related.has(id))) return true;
  }
  return false;
}

const itself = (id: string) => id;
/** A guarded record's subject, unless the record is the caller's own report (nothing to decide). */
const decidedSubject = (g: Guarded) => (g.own ? undefined : g.subjectId);

/** DataLoader's loadMany reports failures per key; a decision needs all of them. */
async function settledAll<T>(results: Promise<Array<T | Error>>): Promise<T[]> {
  const list = await results;
  const failed = list.find((r) => r instanceof Error);
  if (failed) throw failed;
  return list as T[];
}

const NO_CONSENTS: readonly ConsentFact[] = Object.freeze([]);

interface Needs {
  institution: boolean;
  consents: boolean;
  relationship: boolean;
}

/** Which inputs the request's decisions need (by caller and purpose): the same for every subject. */
function needs(ctx: HubContext): Needs {
  const policy = requestPolicy(ctx);
  if (policy.needs) return policy.needs;
  const { caller, purpose } = ctx;
  const institution = !!caller.orgCode && (caller.type === CallerType.BANK || caller.type === CallerType.GUARANTOR || caller.type === CallerType.REGULATOR);
  return (policy.needs = { institution, consents: institution && purpose !== Purpose.SUPERVISION, relationship: institution && purpose === Purpose.POST_LOAN_MANAGEMENT });
}

/**
 * Starts loading the decision inputs for subjects as soon as they enter the request (the registry's subject
 * loader, entity references, crossCheck's ids, records whose children carry policy), so all subjects of a
 * request share one batch even when their records arrive in different ticks. Not awaited: a failure surfaces
 * where a decision needs these inputs.
 */
export function primePolicy(ctx: HubContext, subjectIds: Iterable<string>): void {
  void policyInputsLoaded(ctx, subjectIds);
}

/**
 * Like {@link primePolicy}, and resolves (never rejects) once the inputs are in — a loader that awaits it along
 * with its own rows hands graphql-js records whose decisions are then taken synchronously (no promise per list).
 * Null when there is nothing to load.
 */
export function policyInputsLoaded(ctx: HubContext, subjectIds: Iterable<string>): Promise<void> | null {
  if (!ctx.caller) return null;
  const policy = requestPolicy(ctx);
  if (policy.undecided) return null;
  // A failure surfaces where a decision needs these inputs (the fields fail), not here.
  return loadInputs(ctx, policy, subjectIds)?.catch(() => undefined) ?? null;
}

/**
 * For the policy-cost benchmark's comparison build only (`mode: 'record'` schemas): the request decides
 * nothing, so it loads no consents, relationships or approvals.
 */
export function markPolicyUndecided(ctx: HubContext): void {
  requestPolicy(ctx).undecided = true;
}

function consentLoader(ctx: HubContext) {
  return loader<string, ConsentFact[]>(ctx, 'policy.consents', async (ids) => {
    const policy = requestPolicy(ctx);
    const rider = policy.approvalsRider;
    policy.approvalsRider = undefined;
    if (!rider) {
      const found = await loadConsents(ctx.db, ctx.caller.orgCode!, ids);
      return ids.map((id) => found.get(id) ?? []);
    }
    try {
      const { consents, approvals } = await loadConsentsAndApprovals(ctx.db, ctx.caller.orgCode!, ids, ctx.purpose!);
      rider.resolve(approvals);
      return ids.map((id) => consents.get(id) ?? []);
    } catch (e) {
      rider.reject(e);
      throw e;
    }
  });
}

function relationshipLoader(ctx: HubContext) {
  return loader<string, boolean>(ctx, 'policy.relationships', async (ids) => {
    const related = await activeRelationships(ctx.db, ctx.caller.orgCode!, ids);
    return ids.map((id) => related.has(id));
  });
}

/** The comparison build's note for every field read: the access log keeps its shape, nothing was decided. */
const UNDECIDED = Object.freeze({ decision: 'ALLOW', reason: 'POLICY_NOT_ENFORCED', rule: 'unconditional.open' }) as unknown as FieldDecision;

/** Reading one's own reported contracts is still a read of subject data: logged as ALLOW. */
const OWN_REPORT = Object.freeze({ decision: 'ALLOW', reason: 'OWN_REPORT', rule: 'unconditional.open' }) as unknown as FieldDecision;

/** The value a field resolves to under decision `d`: the value, its mask, or the field's FORBIDDEN error. */
function enforced(row: Record<string, unknown>, value: unknown, field: PolicedField, fieldName: string, d: FieldDecision): unknown {
  if (d.decision === 'ALLOW') return value;
  if (d.decision === 'MASK') return applyMask(d.mask!, value, { amountBandBoundariesYuan: activePolicyRules().amountBandBoundariesYuan });
  return denial(row, field, fieldName, d);
}

/** One error per denied path, never the value: the code says why, the dataset and rule say where. */
function denial(row: Record<string, unknown>, field: PolicedField, fieldName: string, d: FieldDecision): GraphQLError {
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

/** A policy-controlled field as one concrete type declares it. */
interface TypeField extends PolicedField {
  fieldName: string;
  /** Resolved by the type's own resolver (computed), rather than read from the record. */
  computed: boolean;
}

/**
 * Enforces the `@SubjectData` policy in the executable subgraph schema, per record rather than per field:
 * every field that returns records carrying policy-controlled fields waits, once per list, for the
 * decisions of the returned subjects × datasets, notes the decision of every field the operation selects
 * (the access log's trail) and hands graphql-js each record as it may be seen — the record itself when
 * everything selected is allowed (the common case: plain fields then resolve with graphql-js's default
 * resolver, no per-field work), else a view of it with masked values and, for denied fields, their
 * FORBIDDEN errors. Fields computed by a resolver of their own are wrapped individually.
 * Subgraph services enforce this themselves from the gateway-forwarded identity (zero trust).
 */
export function enforceFieldPolicies(
  typeGraphqlSchema: GraphQLSchema,
  subgraphSchema: GraphQLSchema,
  /** `record`: the policy-cost benchmark's comparison build — reads are noted for the access log as they are, nothing is decided or withheld. */
  opts: { mode?: 'enforce' | 'record' } = {},
): Map<string, FieldPolicy> {
  const record = opts.mode === 'record';
  const policies = fieldPolicies(typeGraphqlSchema);
  const fieldsOfType = new Map<string, TypeField[]>();
  for (const [key, policy] of policies) {
    const [typeName, fieldName] = key.split('.');
    const type = subgraphSchema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[fieldName];
    if (!field) continue;
    const inner = field.resolve;
    const computed = !!inner && inner !== defaultFieldResolver;
    const policed: TypeField = { key, policy, fieldName, computed };
    if (!fieldsOfType.has(typeName)) fieldsOfType.set(typeName, []);
    fieldsOfType.get(typeName)!.push(policed);
    if (!computed) continue;
    // A computed field: its decision is settled with the record's (below); applied here to what the resolver returns.
    field.resolve = (parent, args, ctx: HubContext, info) => {
      const row = parent as Record<string, unknown>;
      const value = inner!(parent, args, ctx, info);
      const subjectId = String(row.subjectId ?? row.id);
      const request = requestPolicy(ctx);
      const subject = subjectPolicy(request, subjectId);
      if (record || reportedByCaller(row, ctx)) {
        noteField(subject, policed, record ? UNDECIDED : OWN_REPORT);
        return value;
      }
      const decideAndApply = (v: unknown) => {
        const fd = decisionOf(ctx, request, subject, policy.dataset).field(policy);
        noteField(subject, policed, fd);
        return enforced(row, v, policed, fieldName, fd);
      };
      const ready = loadInputs(ctx, request, [subjectId]);
      if (!ready && !(value instanceof Promise)) return decideAndApply(value);
      return Promise.all([ready, value]).then(([, v]) => decideAndApply(v));
    };
  }
  guardRecordFields(subgraphSchema, fieldsOfType, record);
  return policies;
}

/** Wraps every field whose (possible) return types carry policy-controlled fields; see {@link enforceFieldPolicies}. */
function guardRecordFields(schema: GraphQLSchema, fieldsOfType: Map<string, TypeField[]>, record: boolean): void {
  const policedTypes = (field: { type: Parameters<typeof getNamedType>[0] }) => {
    const returned = getNamedType(field.type);
    const possible = isAbstractType(returned) ? schema.getPossibleTypes(returned) : isObjectType(returned) ? [returned] : [];
    return possible.some((t) => fieldsOfType.has(t.name));
  };
  // Records whose children carry policy (a Subject and its taxRecords): their subjects' inputs are loaded as the records arrive, in one batch.
  const parentTypes = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) && !type.name.startsWith('__') && Object.values(type.getFields()).some(policedTypes)) parentTypes.add(type.name);
  }
  const guard = { fieldsOfType, parentTypes, record };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type);
      const possible = isAbstractType(returned) ? schema.getPossibleTypes(returned) : isObjectType(returned) ? [returned] : [];
      if (!possible.some((t) => fieldsOfType.has(t.name) || parentTypes.has(t.name))) continue;
      const inner: GraphQLFieldResolver<unknown, HubContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, ctx, info) => {
        const value = inner(parent, args, ctx, info);
        return value instanceof Promise ? value.then((v) => guardRecords(ctx, info, v, guard)) : guardRecords(ctx, info, value, guard);
      };
    }
  }
}

type Row = Record<string, unknown>;

/** What one returned record needs: its subject and the policy-controlled fields the operation selects on its type. */
interface Guarded {
  row: Row;
  subjectId: string;
  selection: Selection;
  /** The caller reported this record itself (see reportedByCaller). */
  own: boolean;
}

interface Guard {
  fieldsOfType: Map<string, TypeField[]>;
  parentTypes: Set<string>;
  /** Note the reads only (the comparison build). */
  record: boolean;
}

function guardRecords(ctx: HubContext, info: GraphQLResolveInfo, value: unknown, guard: Guard): unknown {
  // Lists may hold promises (the `_entities` field does): each item settles on its own, a failed one stays an error at its index.
  if (Array.isArray(value) && value.some((v) => v instanceof Promise)) {
    return Promise.allSettled(value).then((items) => guardRecords(ctx, info, items.map((r) => (r.status === 'fulfilled' ? r.value : asError(r.reason))), guard));
  }
  const rows: Row[] = [];
  collectRows(value, rows);
  if (!rows.length) return value;
  const returned = getNamedType(info.returnType);
  if (isObjectType(returned)) return guardTyped(ctx, info, value, rows, returned.name, guard);
  // An abstract type's resolver may answer asynchronously (type-graphql wraps declared ones in async functions).
  const typeNames = rows.map((row) => concreteTypeName(ctx, info, row));
  if (typeNames.some((t) => t instanceof Promise)) return Promise.all(typeNames).then((names) => guardTyped(ctx, info, value, rows, names, guard));
  return guardTyped(ctx, info, value, rows, typeNames as Array<string | undefined>, guard);
}

function collectRows(item: unknown, rows: Row[]): void {
  if (Array.isArray(item)) for (const x of item) collectRows(x, rows);
  else if (item && typeof item === 'object' && !(item instanceof Error)) rows.push(item as Row);
}

/** `typeNames`: one name for all rows (the field returns an object type), else each row's. */
function guardTyped(ctx: HubContext, info: GraphQLResolveInfo, value: unknown, rows: Row[], typeNames: string | Array<string | undefined>, guard: Guard): unknown {
  const policy = requestPolicy(ctx);
  const guarded: Guarded[] = [];
  // Built only when a record is withheld or shown as a view (most lists hand out their records as they are).
  let unknown: Map<Row, unknown> | undefined;
  const parents: string[] = [];
  rows.forEach((row, i) => {
    const typeName = typeof typeNames === 'string' ? typeNames : typeNames[i];
    // Fail closed: a record whose type cannot be told is not handed out.
    if (typeName === undefined) return void (unknown ??= new Map()).set(row, new GraphQLError(`${info.fieldName}: the type of a returned record could not be determined`));
    const selection = selectedPolicedFields(policy, info, typeName, guard.fieldsOfType);
    const subjectId = row.subjectId ?? row.id;
    if (!selection.fields.length) {
      if (guard.parentTypes.has(typeName) && typeof subjectId === 'string') parents.push(subjectId);
      return;
    }
    if (typeof subjectId !== 'string') return void (unknown ??= new Map()).set(row, new GraphQLError(`${info.fieldName}: a returned record names no subject`));
    guarded.push({ row, subjectId, selection, own: reportedByCaller(row, ctx) });
  });
  if (parents.length) primePolicy(ctx, parents);
  if (!guarded.length) return replaceRecords(value, unknown);
  if (guard.record) {
    for (const g of guarded) noteChunk(subjectPolicy(policy, g.subjectId), (g.selection.undecided ??= readChunk(g.selection.fields.map((f) => [f, UNDECIDED]))));
    return replaceRecords(value, unknown);
  }

  // Most lists arrive after their subjects' inputs: checked without collecting the ids.
  const ready = inputsMissing(ctx, policy, guarded, decidedSubject) ? loadInputs(ctx, policy, new Set(guarded.filter((g) => !g.own).map((g) => g.subjectId))) : null;
  if (!ready) return replaceRecords(value, viewsOf(ctx, policy, guarded, unknown));
  return ready.then(
    () => replaceRecords(value, viewsOf(ctx, policy, guarded, unknown)),
    // The decisions' inputs could not be loaded (database): the fields fail with that error, not with data.
    (e) => replaceRecords(value, viewsOf(ctx, policy, guarded, unknown, asError(e))),
  );
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Each guarded record → what graphql-js gets instead (only where it differs from the record). */
function viewsOf(ctx: HubContext, policy: RequestPolicy, guarded: Guarded[], views: Map<Row, unknown> | undefined, failure?: Error): Map<Row, unknown> | undefined {
  // A subject's records of one type share their verdict (same subject, same selected fields): found once per run of
  // them, then applied to each record.
  let subject: SubjectPolicy | undefined;
  let selection: Selection | undefined;
  let verdict: Verdict | undefined;
  for (const g of guarded) {
    const { row, subjectId, own } = g;
    // A list's records mostly belong to one subject.
    if (subjectId !== subject?.id) {
      subject = subjectPolicy(policy, subjectId);
      selection = undefined;
    }
    if (own) {
      noteChunk(subject, (g.selection.own ??= readChunk(g.selection.fields.map((f) => [f, OWN_REPORT]))));
      continue;
    }
    if (failure) {
      const view = Object.create(row) as Row;
      for (const f of g.selection.fields) Object.defineProperty(view, f.fieldName, { get: () => failure, enumerable: true });
      (views ??= new Map()).set(row, view);
      continue;
    }
    if (g.selection !== selection) {
      selection = g.selection;
      verdict = verdictOf(ctx, policy, subject, selection);
      noteChunk(subject, verdict.reads);
    }
    if (!verdict!.restricted.length) continue;
    const view = Object.create(row) as Row;
    for (const [f, d] of verdict!.restricted) {
      if (d.decision === 'MASK') Object.defineProperty(view, f.fieldName, { value: enforced(row, row[f.fieldName], f, f.fieldName, d), enumerable: true });
      // Built only if graphql-js reads it.
      else Object.defineProperty(view, f.fieldName, { get: () => denial(row, f, f.fieldName, d), enumerable: true });
    }
    (views ??= new Map()).set(row, view);
  }
  return views;
}

/** What a subject's records of one type may show: the selected fields not simply allowed (computed fields apply their own), and the chunk read. */
interface Verdict {
  restricted: ReadonlyArray<readonly [TypeField, FieldDecision]>;
  reads: ReadChunk;
}

const NOTHING_RESTRICTED: Verdict['restricted'] = Object.freeze([]);

/**
 * The verdict for one subject's records of a selection. Subjects whose decisions share their plans (the same
 * dataset base objects: same consent outcome, approval, purpose) share one verdict, worked out once per request.
 */
function verdictOf(ctx: HubContext, policy: RequestPolicy, subject: SubjectPolicy, selection: Selection): Verdict {
  // Each dataset is decided for the subject (its access record names what the decisions relied on) …
  for (const dataset of selection.datasets) decisionOf(ctx, policy, subject, dataset);
  // … and the verdict is its profile's: worked out once per selection for all subjects decided alike.
  const profile = subject.profile!;
  selection.verdicts ??= new Map();
  let verdict = selection.verdicts.get(profile);
  if (verdict) return verdict;
  // The same fields decided the same way (field decisions are memoised process-wide) give the same verdict:
  // found by walking the decisions, built only for a combination not seen before.
  let node = verdictTrees.get(selection.fields);
  if (!node) verdictTrees.set(selection.fields, (node = {}));
  for (const f of selection.fields) node = stepInto(node, decisionOf(ctx, policy, subject, f.policy.dataset).field(f.policy));
  verdict = node.value ??= buildVerdict(selection.fields.map((f) => [f, decisionOf(ctx, policy, subject, f.policy.dataset).field(f.policy)] as const));
  selection.verdicts.set(profile, verdict);
  return verdict;
}

/** Verdicts by selected fields, then by each field's decision in order (see verdictOf). */
const verdictTrees = new WeakMap<readonly TypeField[], IdentityTrie<Verdict>>();

function buildVerdict(notes: Array<readonly [TypeField, FieldDecision]>): Verdict {
  const restricted = notes.filter(([f, d]) => d.decision !== 'ALLOW' && !f.computed);
  return { restricted: restricted.length ? restricted : NOTHING_RESTRICTED, reads: readChunk(notes) };
}

function replaceRecords(value: unknown, views: Map<Row, unknown> | undefined): unknown {
  if (!views?.size) return value;
  const swap = (item: unknown): unknown => (Array.isArray(item) ? item.map(swap) : views.has(item as Row) ? views.get(item as Row) : item);
  return swap(value);
}

/** The record's GraphQL type: the field's own object type, else `__typename` (entities) or the abstract type's resolver. */
function concreteTypeName(ctx: HubContext, info: GraphQLResolveInfo, row: Row): string | undefined | Promise<string | undefined> {
  const returned = getNamedType(info.returnType);
  if (isObjectType(returned)) return returned.name;
  if (typeof row.__typename === 'string') return row.__typename;
  if (!isAbstractType(returned) || !returned.resolveType) return undefined;
  const resolved = returned.resolveType(row, ctx, info, returned);
  if (resolved instanceof Promise) return resolved.then((t) => (typeof t === 'string' ? t : undefined));
  return typeof resolved === 'string' ? resolved : undefined;
}

/** The policy-controlled fields the operation selects on one type below one field, and what the request worked out for them. */
interface Selection {
  fields: TypeField[];
  /** Their datasets, each once. */
  datasets: DatasetCode[];
  /** The verdict for each profile of subjects decided alike. */
  verdicts?: Map<Profile, Verdict>;
  /** The chunk noted for the caller's own reports (see reportedByCaller). */
  own?: ReadChunk;
  /** The comparison build's chunk. */
  undecided?: ReadChunk;
}

/**
 * The policy-controlled fields the operation selects on `typeName` below this field (fragments, @include/@skip applied):
 * once per field node set of the request. Kept with the request, not with the field nodes: a compiled operation's
 * field nodes outlive the request, while @include/@skip follow this request's variables and the verdicts its subjects.
 */
function selectedPolicedFields(policy: RequestPolicy, info: GraphQLResolveInfo, typeName: string, fieldsOfType: Map<string, TypeField[]>): Selection {
  const selections = (policy.selections ??= new Map());
  let byType = selections.get(info.fieldNodes);
  if (!byType) selections.set(info.fieldNodes, (byType = new Map()));
  let found = byType.get(typeName);
  if (found) return found;
  const { fields, datasets } = policedSelection(info, typeName, fieldsOfType);
  byType.set(typeName, (found = { fields, datasets }));
  return found;
}

/**
 * Which policy-controlled fields of `typeName` the field nodes select, and their datasets. Worked out once per
 * field node set where no `@include`/`@skip` below it can change the answer (compiled operations keep their field
 * nodes from one request to the next), else per request — the variables decide.
 */
const unconditionalSelections = new WeakMap<readonly FieldNode[], Map<string, Pick<Selection, 'fields' | 'datasets'>> | null>();
function policedSelection(info: GraphQLResolveInfo, typeName: string, fieldsOfType: Map<string, TypeField[]>): Pick<Selection, 'fields' | 'datasets'> {
  let shared = unconditionalSelections.get(info.fieldNodes);
  if (shared === undefined) unconditionalSelections.set(info.fieldNodes, (shared = hasConditionalSelections(info.fieldNodes, info.fragments) ? null : new Map()));
  const cached = shared?.get(typeName);
  if (cached) return cached;
  const policed = fieldsOfType.get(typeName);
  const type = info.schema.getType(typeName);
  let fields: TypeField[] = [];
  if (policed && isObjectType(type)) {
    const names = new Set<string>();
    for (const nodes of collectSubfields(info.schema, info.fragments, info.variableValues, type, info.fieldNodes).values()) names.add(nodes[0].name.value);
    fields = policed.filter((f) => names.has(f.fieldName));
  }
  const found = { fields, datasets: [...new Set(fields.map((f) => f.policy.dataset))] };
  shared?.set(typeName, found);
  return found;
}

/** Whether an `@include` or `@skip` directive sits anywhere in the selections below these field nodes (fragments followed). */
function hasConditionalSelections(fieldNodes: readonly FieldNode[], fragments: GraphQLResolveInfo['fragments']): boolean {
  const seen = new Set<string>();
  const conditional = (node: { directives?: ReadonlyArray<DirectiveNode> }) => !!node.directives?.some((d) => d.name.value === 'include' || d.name.value === 'skip');
  const walk = (set: SelectionSetNode | undefined): boolean => {
    if (!set) return false;
    for (const sel of set.selections) {
      if (conditional(sel)) return true;
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(sel.name.value)) continue;
        seen.add(sel.name.value);
        const fragment = fragments[sel.name.value];
        // An unknown fragment: not worked out once (the per-request path reports nothing either).
        if (!fragment || conditional(fragment) || walk(fragment.selectionSet)) return true;
      } else if (walk(sel.selectionSet)) return true;
    }
    return false;
  };
  return fieldNodes.some((node) => walk(node.selectionSet));
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
