import { In, IsNull, type EntityTarget } from 'typeorm';
import { placeholders, selectEntities } from '../db/fast-read';
import type { Database } from '../db/datasource';
import { groupBy, loader, type HubContext } from '../federation/context';
import {
  AgriInsurancePolicy,
  AgriSubsidy,
  JudicialRecord,
  LandContractRight,
  PenaltyRecord,
  SocialInsuranceRecord,
  TaxRecord,
  type CreditRecordBase,
} from './entities';

/** The WHERE of {@link findCurrent} for n subjects: one string per driver and n for the usual small n. */
const currentWhere = new Map<string, string[]>();
function currentOf(db: Database, n: number): string {
  let byCount = currentWhere.get(db.kind);
  if (!byCount) currentWhere.set(db.kind, (byCount = []));
  const where = byCount[n] ?? `subject_id IN (${placeholders(n)}) AND ${db.dataSource.driver.escape('current')} = 1 AND retracted_at IS NULL`;
  if (n <= 64) byCount[n] = where;
  return where;
}

/**
 * The current, unretracted records of the given subjects from one credit table, newest first
 * (dataAsOf desc, then id desc), grouped per subject in the order of `subjectIds`.
 * One statement however many subjects.
 */
async function findCurrent<T extends CreditRecordBase>(db: Database, entity: EntityTarget<T>, subjectIds: readonly string[]): Promise<T[][]> {
  if (!subjectIds.length) return [];
  const ids = [...new Set(subjectIds)];
  const rows = await selectEntities(db, entity, currentOf(db, ids.length), ids, 'data_as_of DESC, id DESC');
  return groupBy(subjectIds, rows, (r) => r.subjectId);
}

/** 纳税信用 records per subject (current, not retracted, newest first). */
export const findTaxRecords = (db: Database, subjectIds: readonly string[]) => findCurrent(db, TaxRecord, subjectIds);
/** 社保参保缴费 records per subject. */
export const findSocialInsuranceRecords = (db: Database, subjectIds: readonly string[]) => findCurrent(db, SocialInsuranceRecord, subjectIds);
/** 司法 records per subject. */
export const findJudicialRecords = (db: Database, subjectIds: readonly string[]) => findCurrent(db, JudicialRecord, subjectIds);
/** 行政处罚 records per subject. */
export const findPenaltyRecords = (db: Database, subjectIds: readonly string[]) => findCurrent(db, PenaltyRecord, subjectIds);
/** 土地承包经营权 per subject. */
export const findLandContractRights = (db: Database, subjectIds: readonly string[]) => findCurrent(db, LandContractRight, subjectIds);
/** 农业保险 policies per subject. */
export const findAgriInsurancePolicies = (db: Database, subjectIds: readonly string[]) => findCurrent(db, AgriInsurancePolicy, subjectIds);
/** 农业补贴 per subject. */
export const findAgriSubsidies = (db: Database, subjectIds: readonly string[]) => findCurrent(db, AgriSubsidy, subjectIds);

/** 失信被执行人 / 限制消费 status now, per subject in the order asked. */
export interface DishonestStatusRow {
  subjectId: string;
  dishonestListed: boolean;
  consumptionRestricted: boolean;
  /** 案号 of the listing or restricting cases, newest first. */
  caseNumbers: string[];
}

/**
 * Whether each subject is listed as 失信被执行人 (or under 限制消费) now: from the current, unretracted
 * judicial records that say so. One statement however many subjects.
 */
export async function findDishonestStatus(db: Database, subjectIds: readonly string[]): Promise<DishonestStatusRow[]> {
  if (!subjectIds.length) return [];
  const unique = [...new Set(subjectIds)];
  const rows = await db.dataSource.getRepository(JudicialRecord).find({
    select: { id: true, subjectId: true, caseNumber: true, dishonestListed: true, consumptionRestricted: true, dataAsOf: true },
    where: [
      { subjectId: In(unique), current: true, retractedAt: IsNull(), dishonestListed: true },
      { subjectId: In(unique), current: true, retractedAt: IsNull(), consumptionRestricted: true },
    ],
    order: { dataAsOf: 'DESC', id: 'DESC' },
  });
  return groupBy(subjectIds, rows, (r) => r.subjectId).map((cases, i) => ({
    subjectId: subjectIds[i],
    dishonestListed: cases.some((c) => c.dishonestListed),
    consumptionRestricted: cases.some((c) => c.consumptionRestricted),
    caseNumbers: cases.map((c) => c.caseNumber),
  }));
}

// Per-request loaders: one statement per table per request, however many subjects are resolved.

export const taxRecordsLoader = (ctx: HubContext) => loader<string, TaxRecord[]>(ctx, 'credit.tax', (ids) => findTaxRecords(ctx.db, ids));
export const socialInsuranceRecordsLoader = (ctx: HubContext) =>
  loader<string, SocialInsuranceRecord[]>(ctx, 'credit.socialInsurance', (ids) => findSocialInsuranceRecords(ctx.db, ids));
export const judicialRecordsLoader = (ctx: HubContext) => loader<string, JudicialRecord[]>(ctx, 'credit.judicial', (ids) => findJudicialRecords(ctx.db, ids));
export const penaltyRecordsLoader = (ctx: HubContext) => loader<string, PenaltyRecord[]>(ctx, 'credit.penalty', (ids) => findPenaltyRecords(ctx.db, ids));
export const landContractRightsLoader = (ctx: HubContext) =>
  loader<string, LandContractRight[]>(ctx, 'credit.agriLand', (ids) => findLandContractRights(ctx.db, ids));
export const agriInsurancePoliciesLoader = (ctx: HubContext) =>
  loader<string, AgriInsurancePolicy[]>(ctx, 'credit.agriInsurance', (ids) => findAgriInsurancePolicies(ctx.db, ids));
export const agriSubsidiesLoader = (ctx: HubContext) => loader<string, AgriSubsidy[]>(ctx, 'credit.agriSubsidy', (ids) => findAgriSubsidies(ctx.db, ids));
