import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { findAccessRecords, type AccessRecord } from '../audit';
import type { HubContext } from '../federation/context';
import { badInput, forbidden, subjectIdArg } from '../federation/errors';
import { CallerType } from '../identity/caller';
import { checkResidentId } from '../identifiers';
import { MaskKind } from '../policy/catalog';
import { DATASETS } from '../policy/datasets';
import { applyMask } from '../policy/masks';
import { Purpose } from '../policy/purposes';
import { Institution } from './entities';
import { institutionLoader } from './read';

const MAX_PAGE = 200;
const MAX_USAGE_WINDOW_DAYS = 92;

/** One access to a subject's data, as the subject, a department or a regulator may see it. */
@ObjectType('AccessRecordView', { simpleResolvers: true, description: '查询记录 — one request that read (or tried to read) a subject’s data.' })
export class AccessRecordView {
  @Field(() => ID, { description: 'Cursor of this record (for paging with `before`).' })
  cursor!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the read happened.' })
  time!: Date;

  @Field({ description: 'Request id (also in the X-Request-Id response header the caller got).' })
  requestId!: string;

  @Field({ description: 'Code of the reading institution (or SUBJECT for a subject reading its own data).' })
  institutionCode!: string;

  @Field(() => CallerType, { description: 'Type of the reading institution.' })
  callerType!: CallerType;

  @Field(() => String, { nullable: true, description: 'Declared purpose of the read.' })
  purpose!: string | null;

  @Field({ description: 'The subject read. For a regulator, 公民身份号码 are shown first 6 + last 4 only.' })
  subjectId!: string;

  @Field(() => [String], { description: 'Datasets of the fields asked for.' })
  datasets!: string[];

  @Field(() => Int, { description: 'How many fields were returned in clear.' })
  allowed!: number;

  @Field(() => Int, { description: 'How many fields were returned masked.' })
  masked!: number;

  @Field(() => Int, { description: 'How many fields were denied.' })
  denied!: number;

  @Field(() => [String], { description: 'Consents (授权) the read relied on.' })
  consentIds!: string[];

  @Field(() => [String], { description: 'Data-use applications (共享申请) the read relied on.' })
  approvalIds!: string[];
}

@ObjectType('DatasetUsage', { simpleResolvers: true, description: 'How often one institution read one of the caller’s datasets, per purpose and day.' })
export class DatasetUsage {
  @Field({ description: 'Dataset code.' })
  dataset!: string;

  @Field({ description: 'Day (YYYY-MM-DD, UTC).' })
  day!: string;

  @Field({ description: 'Reading institution.' })
  institutionCode!: string;

  @Field(() => String, { nullable: true, description: 'Declared purpose.' })
  purpose!: string | null;

  @Field(() => Int, { description: 'Subject reads (one per request and subject) that asked for fields of the dataset.' })
  reads!: number;

  @Field(() => Int, { description: 'Distinct subjects read.' })
  subjects!: number;

  @Field(() => Int, { description: 'Of those reads, how many had at least one field of the dataset denied.' })
  deniedReads!: number;
}

@InputType('AccessLogFilter', { description: 'Search criteria for the access log (all optional, combined with AND).' })
export class AccessLogFilter {
  @Field(() => String, { nullable: true, description: 'Reading institution code.' })
  institutionCode?: string;

  @Field(() => String, { nullable: true, description: 'Subject identifier.' })
  subjectId?: string;

  @Field(() => Purpose, { nullable: true, description: 'Declared purpose.' })
  purpose?: Purpose;

  @Field(() => String, { nullable: true, description: 'Only records with at least one field decided so: ALLOW, MASK or DENY.' })
  decision?: 'ALLOW' | 'MASK' | 'DENY';

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'From (inclusive).' })
  from?: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'To (exclusive).' })
  to?: Date;
}

function toView(r: AccessRecord, maskPersonalIds: boolean): AccessRecordView {
  const count = (d: string) => r.fields.filter((f) => f.decision === d).length;
  const personal = checkResidentId(r.subjectId).ok;
  return {
    cursor: `${r.time.toISOString()}|${r.id}`,
    time: r.time,
    requestId: r.requestId,
    institutionCode: r.callerOrg ?? 'SUBJECT',
    callerType: r.callerType as CallerType,
    purpose: r.purpose,
    subjectId: maskPersonalIds && personal ? String(applyMask(MaskKind.SHOW_FIRST6_LAST4, r.subjectId)) : r.subjectId,
    datasets: [...new Set(r.fields.map((f) => f.dataset))].sort(),
    allowed: count('ALLOW'),
    masked: count('MASK'),
    denied: count('DENY'),
    consentIds: [...r.consentIds],
    approvalIds: [...r.approvalIds],
  };
}

function parseCursor(before: string | undefined): { time: Date; id: number } | undefined {
  if (!before) return undefined;
  const [time, id] = before.split('|');
  const parsed = { time: new Date(time), id: Number(id) };
  if (Number.isNaN(parsed.time.getTime()) || !Number.isInteger(parsed.id)) throw badInput(`'before' is not a cursor returned by this API: ${before}`);
  return parsed;
}

function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be between 1 and ${MAX_PAGE}`);
  return first;
}

@Resolver(() => AccessRecordView)
export class AccessLogResolver {
  @Query(() => [AccessRecordView], {
    description: '查询记录 for a SUBJECT caller: who read its data, when, for what purpose and which datasets — newest first. Only its own subject.',
  })
  async myAccessRecords(
    @Ctx() ctx: HubContext,
    @Arg('first', () => Int, { defaultValue: 50, description: `Page size (1–${MAX_PAGE}).` }) first: number,
    @Arg('before', () => String, { nullable: true, description: 'Cursor: records older than this one.' }) before?: string,
  ): Promise<AccessRecordView[]> {
    if (ctx.caller.type !== CallerType.SUBJECT || !ctx.caller.subjectId) throw forbidden('myAccessRecords is for a subject’s own token (caller type SUBJECT)');
    const records = await findAccessRecords(ctx.db, { subjectId: ctx.caller.subjectId, recordType: 'READ', before: parseCursor(before), limit: pageSize(first) });
    return records.map((r) => toView(r, false));
  }

  @Query(() => [AccessRecordView], {
    description: 'Access-log search for REGULATOR (and OPERATOR) callers, newest first. Personal identifiers are masked.',
  })
  async accessLog(
    @Ctx() ctx: HubContext,
    @Arg('filter', () => AccessLogFilter, { nullable: true, description: 'Search criteria.' }) filter: AccessLogFilter = {},
    @Arg('first', () => Int, { defaultValue: 50, description: `Page size (1–${MAX_PAGE}).` }) first: number,
    @Arg('before', () => String, { nullable: true, description: 'Cursor: records older than this one.' }) before?: string,
  ): Promise<AccessRecordView[]> {
    if (ctx.caller.type !== CallerType.REGULATOR && ctx.caller.type !== CallerType.OPERATOR) throw forbidden('accessLog is for regulators and the hub operator');
    if (filter.decision && !['ALLOW', 'MASK', 'DENY'].includes(filter.decision)) throw badInput('decision must be ALLOW, MASK or DENY');
    const records = await findAccessRecords(ctx.db, {
      callerOrg: filter.institutionCode,
      subjectId: filter.subjectId ? subjectIdArg(filter.subjectId, 'filter.subjectId') : undefined,
      purpose: filter.purpose,
      decision: filter.decision,
      from: filter.from,
      to: filter.to,
      before: parseCursor(before),
      limit: pageSize(first),
    });
    return records.map((r) => toView(r, true));
  }

  @Query(() => [DatasetUsage], {
    description: `For a DEPARTMENT: reads of the datasets it publishes, by institution, purpose and day, within a window of at most ${MAX_USAGE_WINDOW_DAYS} days.`,
  })
  async datasetUsage(
    @Ctx() ctx: HubContext,
    @Arg('from', () => DateTimeISOResolver, { description: 'From (inclusive).' }) from: Date,
    @Arg('to', () => DateTimeISOResolver, { description: 'To (exclusive).' }) to: Date,
  ): Promise<DatasetUsage[]> {
    const org = ctx.caller.orgCode;
    const own = new Set(Object.values(DATASETS).filter((d) => d.publisher === org).map((d) => d.code as string));
    if (!org || !own.size) throw forbidden('datasetUsage is for the institution that publishes datasets');
    if (!(from < to) || to.getTime() - from.getTime() > MAX_USAGE_WINDOW_DAYS * 86_400_000) throw badInput(`from must be before to, at most ${MAX_USAGE_WINDOW_DAYS} days apart`);
    const usage = new Map<string, DatasetUsage & { subjectSet: Set<string> }>();
    let cursor: { time: Date; id: number } | undefined;
    for (;;) {
      const page = await findAccessRecords(ctx.db, { recordType: 'READ', from, to, before: cursor, limit: 1000 });
      for (const r of page) {
        const day = r.time.toISOString().slice(0, 10);
        const byDataset = new Map<string, boolean>();
        for (const f of r.fields) if (own.has(f.dataset)) byDataset.set(f.dataset, (byDataset.get(f.dataset) ?? false) || f.decision === 'DENY');
        for (const [dataset, denied] of byDataset) {
          const key = `${dataset}|${day}|${r.callerOrg}|${r.purpose}`;
          let u = usage.get(key);
          if (!u) usage.set(key, (u = { dataset, day, institutionCode: r.callerOrg ?? 'SUBJECT', purpose: r.purpose, reads: 0, subjects: 0, deniedReads: 0, subjectSet: new Set() }));
          u.reads++;
          if (denied) u.deniedReads++;
          u.subjectSet.add(r.subjectId);
        }
      }
      if (page.length < 1000) break;
      const last = page[page.length - 1];
      cursor = { time: last.time, id: last.id! };
    }
    return [...usage.values()]
      .map(({ subjectSet, ...u }) => ({ ...u, subjects: subjectSet.size }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.dataset.localeCompare(b.dataset) || a.institutionCode.localeCompare(b.institutionCode));
  }

  @FieldResolver(() => Institution, { nullable: true, description: 'The reading institution (null for a subject reading its own data).' })
  institution(@Root() view: AccessRecordView, @Ctx() ctx: HubContext): Promise<Institution | null> {
    return view.institutionCode === 'SUBJECT' ? Promise.resolve(null) : institutionLoader(ctx).load(view.institutionCode);
  }
}
