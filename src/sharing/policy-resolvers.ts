import { activePolicyRules } from '../policy/rules';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { forbidden, badInput, subjectIdArg } from '../federation/errors';
import type { HubContext } from '../federation/context';
import { CallerType } from '../identity/caller';
import { activeRelationships } from '../exposure/read';
import type { DatasetCode, FieldPolicy } from '../policy/catalog';
import { DATASETS } from '../policy/datasets';
import { decideDataset, explainField, type ApprovalFact, type ConsentFact } from '../policy/decide';
import { DataUseApplication, SubjectConsent } from '../policy/entities';
import { Purpose } from '../policy/purposes';
import * as store from '../policy/store';
import { PolicyStoreError } from '../policy/store';
import {
  AccessDecision,
  AccessExplanation,
  CatalogDataset,
  CatalogField,
  ConsentInput,
  DataUseApplicationStatus,
  DataUseApplicationView,
  SubjectConsentView,
} from './policy-types';

/** Error code integrators see for each refusal of the policy store. */
const STORE_ERROR_CODES: Record<store.PolicyErrorCode, string> = {
  INVALID_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_STATE: 'CONFLICT',
  CONFLICT: 'CONFLICT',
};

async function storeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof PolicyStoreError) throw new GraphQLError(e.message, { extensions: { code: STORE_ERROR_CODES[e.code] ?? 'BAD_USER_INPUT', reason: e.code } });
    throw e;
  }
}

function requireOrg(ctx: HubContext, types: readonly CallerType[], what: string): string {
  const org = ctx.caller?.orgCode;
  if (!org || !types.includes(ctx.caller.type)) throw forbidden(`${what} is open to ${types.join(', ')} institutions only.`);
  return org;
}

export interface CatalogEntry {
  type: string;
  field: string;
  policy: FieldPolicy;
}

/** `Type.field` → policy over every subgraph's schema, sorted by type and field. */
export async function catalogEntries(): Promise<CatalogEntry[]> {
  // Lazy: the gateway module imports this subgraph.
  const { buildAllSubgraphs } = await import('../gateway/subgraphs');
  const { fieldPolicies } = await import('../policy/enforce');
  const built = await buildAllSubgraphs();
  const all = new Map<string, FieldPolicy>();
  for (const sub of Object.values(built)) for (const [key, policy] of fieldPolicies(sub.typeGraphqlSchema)) if (!all.has(key)) all.set(key, policy);
  return [...all.entries()]
    .map(([key, policy]) => {
      const [type, field] = key.split('.');
      return { type, field, policy };
    })
    .sort((a, b) => (a.type === b.type ? a.field.localeCompare(b.field) : a.type.localeCompare(b.type)));
}

function applicationView(row: DataUseApplication): DataUseApplicationView {
  return DataUseApplicationView.from(row, DATASETS[row.dataset]?.publisher ?? null);
}

@Resolver()
export class CatalogResolver {
  @Query(() => [CatalogDataset], { description: 'The data catalog (数据目录): every shared dataset with its fields and their sharing class, generated from the schema.' })
  async catalog(): Promise<CatalogDataset[]> {
    const entries = await catalogEntries();
    return Object.values(DATASETS).map((d) =>
      Object.assign(new CatalogDataset(), {
        code: d.code,
        name: d.name,
        description: d.description,
        publisher: d.publisher,
        updateCycleDays: d.updateCycleDays,
        fields: entries
          .filter((e) => e.policy.dataset === d.code)
          .map((e) => Object.assign(new CatalogField(), { type: e.type, field: e.field, sharing: e.policy.sharing, personal: !!e.policy.personal, mask: e.policy.mask ?? null })),
      }),
    );
  }
}

const CONSUMERS = [CallerType.BANK, CallerType.GUARANTOR, CallerType.REGULATOR] as const;

@Resolver(() => DataUseApplicationView)
export class DataUseApplicationResolver {
  @Mutation(() => DataUseApplicationView, { description: '共享申请: the calling institution applies to use a dataset for a purpose; the publisher decides it (BANK, GUARANTOR, REGULATOR).' })
  async applyForDataUse(
    @Arg('dataset', { description: 'Dataset code, e.g. tax (see catalog).' }) dataset: string,
    @Arg('purpose', () => Purpose, { description: 'Purpose the data will be used for.' }) purpose: Purpose,
    @Arg('useCase', { description: '使用场景 — what the data will be used for.' }) useCase: string,
    @Ctx() ctx: HubContext,
  ): Promise<DataUseApplicationView> {
    const consumerCode = requireOrg(ctx, CONSUMERS, 'Applying for data use');
    const row = await storeCall(() => store.createApplication(ctx.db, { consumerCode, dataset: dataset as DatasetCode, purpose, useCase }));
    return applicationView(row);
  }

  @Mutation(() => DataUseApplicationView, { description: 'The publishing department approves a PENDING application until an expiry.' })
  async approveDataUse(
    @Arg('id', () => ID, { description: 'Application id.' }) id: string,
    @Arg('expiresAt', () => Date, { description: 'End of the approval (exclusive); in the future.' }) expiresAt: Date,
    @Ctx() ctx: HubContext,
  ): Promise<DataUseApplicationView> {
    const org = requireOrg(ctx, [CallerType.DEPARTMENT, CallerType.OPERATOR], 'Deciding data-use applications');
    return applicationView(await storeCall(() => store.decideApplication(ctx.db, id, org, true, expiresAt)));
  }

  @Mutation(() => DataUseApplicationView, { description: 'The publishing department rejects a PENDING application with a reason.' })
  async rejectDataUse(
    @Arg('id', () => ID, { description: 'Application id.' }) id: string,
    @Arg('reason', { description: 'Why it is rejected.' }) reason: string,
    @Ctx() ctx: HubContext,
  ): Promise<DataUseApplicationView> {
    const org = requireOrg(ctx, [CallerType.DEPARTMENT, CallerType.OPERATOR], 'Deciding data-use applications');
    return applicationView(await storeCall(() => store.decideApplication(ctx.db, id, org, false, reason)));
  }

  @Mutation(() => DataUseApplicationView, { description: 'The applicant withdraws its PENDING or APPROVED application (an approval stops counting at once).' })
  async withdrawDataUse(@Arg('id', () => ID, { description: 'Application id.' }) id: string, @Ctx() ctx: HubContext): Promise<DataUseApplicationView> {
    const org = requireOrg(ctx, CONSUMERS, 'Withdrawing data-use applications');
    return applicationView(await storeCall(() => store.withdrawApplication(ctx.db, id, org)));
  }

  @Query(() => [DataUseApplicationView], { description: 'The calling institution’s own data-use applications, newest first.' })
  async myDataUseApplications(
    @Arg('status', () => DataUseApplicationStatus, { nullable: true, description: 'Only applications in this state.' }) status: DataUseApplicationStatus | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<DataUseApplicationView[]> {
    const org = ctx.caller?.orgCode;
    if (!org) return [];
    const rows = await ctx.db.dataSource.getRepository(DataUseApplication).find({ where: { consumerCode: org, ...(status ? { status } : {}) }, order: { createdAt: 'DESC', id: 'ASC' } });
    return rows.map(applicationView);
  }

  @Query(() => [DataUseApplicationView], { description: 'Applications for datasets the calling institution publishes (publisher side), oldest first.' })
  async dataUseApplicationsToDecide(
    @Arg('status', () => DataUseApplicationStatus, { nullable: true, defaultValue: DataUseApplicationStatus.PENDING, description: 'Only applications in this state (default PENDING).' })
    status: DataUseApplicationStatus | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<DataUseApplicationView[]> {
    const org = ctx.caller?.orgCode;
    if (!org) return [];
    const datasets = Object.values(DATASETS).filter((d) => d.publisher === org).map((d) => d.code);
    if (!datasets.length) return [];
    const qb = ctx.db.dataSource.getRepository(DataUseApplication).createQueryBuilder('a').where('a.dataset IN (:...datasets)', { datasets });
    if (status) qb.andWhere('a.status = :status', { status });
    const rows = await qb.orderBy('a.createdAt', 'ASC').addOrderBy('a.id', 'ASC').getMany();
    return rows.map(applicationView);
  }
}

@Resolver(() => SubjectConsentView)
export class ConsentResolver {
  @Mutation(() => SubjectConsentView, { description: '授权: registers a subject’s signed consent to the calling institution (BANK, GUARANTOR).' })
  async registerConsent(@Arg('input', () => ConsentInput, { description: 'The consent.' }) input: ConsentInput, @Ctx() ctx: HubContext): Promise<SubjectConsentView> {
    const granteeCode = requireOrg(ctx, [CallerType.BANK, CallerType.GUARANTOR], 'Registering consents');
    const row = await storeCall(() =>
      store.registerConsent(ctx.db, {
        subjectId: input.subjectId,
        granteeCode,
        purposes: input.purposes,
        datasets: input.datasets as DatasetCode[],
        validFrom: input.validFrom,
        validTo: input.validTo,
        evidenceSha256: input.evidenceSha256,
        registeredBy: ctx.caller.userId || granteeCode,
      }),
    );
    return SubjectConsentView.from(row);
  }

  @Mutation(() => SubjectConsentView, { description: 'Revokes a consent from now on (the grantee institution or the hub operator).' })
  async revokeConsent(
    @Arg('id', () => ID, { description: 'Consent id.' }) id: string,
    @Arg('reason', { description: 'Why it is revoked.' }) reason: string,
    @Ctx() ctx: HubContext,
  ): Promise<SubjectConsentView> {
    const org = ctx.caller?.orgCode;
    if (!org) throw forbidden('Only the grantee institution or the hub operator may revoke a consent.');
    return SubjectConsentView.from(await storeCall(() => store.revokeConsent(ctx.db, id, org, ctx.caller.type, reason)));
  }

  @Query(() => [SubjectConsentView], { description: 'Consents of a subject to the calling institution (the hub operator sees all), newest first.' })
  async consents(@Arg('subjectId', { description: 'The subject: 统一社会信用代码 or 公民身份号码.' }) subjectId: string, @Ctx() ctx: HubContext): Promise<SubjectConsentView[]> {
    const id = subjectIdArg(subjectId, 'subjectId');
    const org = ctx.caller?.orgCode;
    if (!org) return [];
    const where = ctx.caller.type === CallerType.OPERATOR ? { subjectId: id } : { subjectId: id, granteeCode: org };
    const rows = await ctx.db.dataSource.getRepository(SubjectConsent).find({ where, order: { registeredAt: 'DESC', id: 'ASC' } });
    return rows.map((r) => SubjectConsentView.from(r));
  }
}

@Resolver()
export class ExplainAccessResolver {
  @Query(() => [AccessExplanation], {
    description: 'Explains what the sharing policy would decide for the caller, a subject and a purpose, per catalog field — without returning subject data.',
  })
  async explainAccess(
    @Arg('subjectId', { description: 'The subject: 统一社会信用代码 or 公民身份号码.' }) subjectId: string,
    @Arg('purpose', () => Purpose, { description: 'The purpose the caller would declare.' }) purpose: Purpose,
    @Arg('fields', () => [String], { nullable: true, description: 'Only these fields, as Type.field (e.g. TaxRecord.taxPaid); default every catalog field.' }) fields: string[] | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<AccessExplanation[]> {
    const id = subjectIdArg(subjectId, 'subjectId');
    let entries = await catalogEntries();
    if (fields) {
      const known = new Set(entries.map((e) => `${e.type}.${e.field}`));
      const unknown = fields.filter((f) => !known.has(f));
      if (unknown.length) throw badInput(`Not catalog fields: ${unknown.join(', ')} (use Type.field, see catalog).`, { argument: 'fields', unknown });
      const wanted = new Set(fields);
      entries = entries.filter((e) => wanted.has(`${e.type}.${e.field}`));
    }
    const { caller } = ctx;
    const org = caller.orgCode;
    const institution = !!org && (caller.type === CallerType.BANK || caller.type === CallerType.GUARANTOR || caller.type === CallerType.REGULATOR);
    const [consents, approvals, hasRelationship] = await Promise.all([
      institution && purpose !== Purpose.SUPERVISION ? store.loadConsents(ctx.db, org!, [id]).then((m) => m.get(id) ?? []) : Promise.resolve([] as ConsentFact[]),
      institution ? store.loadApprovals(ctx.db, org!) : Promise.resolve([] as ApprovalFact[]),
      institution && purpose === Purpose.POST_LOAN_MANAGEMENT ? activeRelationships(ctx.db, org!, [id]).then((s) => s.has(id)) : Promise.resolve(false),
    ]);
    const now = new Date();
    const decisions = new Map<DatasetCode, ReturnType<typeof decideDataset>>();
    return entries.map((e) => {
      const dataset = e.policy.dataset;
      let dd = decisions.get(dataset);
      if (!dd) decisions.set(dataset, (dd = decideDataset({ caller, purpose, subjectId: id, dataset, consents, approvals, hasRelationship, now, rules: activePolicyRules() })));
      const d = dd.field(e.policy);
      return Object.assign(new AccessExplanation(), {
        type: e.type,
        field: e.field,
        dataset,
        decision: d.decision as AccessDecision,
        reason: d.reason ?? null,
        mask: d.mask ?? null,
        rule: d.rule,
        message: explainField(d),
      });
    });
  }
}
