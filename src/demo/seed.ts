import type { Database } from '../db/datasource';
import { insertRows } from '../db/bulk';
import { Institution } from '../sharing/entities';
import { AgriEntity, Enterprise, EnterpriseScale, RegistrationStatus, SubjectKind } from '../registry/entities';
import { DATASETS } from '../policy/datasets';
import { demoCreditRecords } from '../credit/demo';
import { demoExposure } from '../exposure/demo';
import { DEMO_INSTITUTIONS } from './institutions';
import { demoPolicyRows } from './policy';
import { DataUseApplication, SubjectConsent } from '../policy/entities';
import { seededRandom } from './random';
import { generateSubjects } from './subjects';

export { FIXED_SUBJECT_IDS as FIXED_SUBJECTS } from './fixed';
import { FIXED_SUBJECT_IDS as FIXED_SUBJECTS } from './fixed';

export interface SeedSummary {
  institutions: number;
  enterprises: number;
  agriEntities: number;
  rows: Record<string, number>;
}

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  return (await db.dataSource.getRepository(Institution).count()) === 0;
}

/** Deterministic, realistic demo data: institutions of every type, 200+ enterprises, 100+ agricultural entities and their records. */
export async function seedDemo(db: Database, opts: { now?: Date; seed?: number } = {}): Promise<SeedSummary> {
  const now = opts.now ?? new Date();
  const rng = seededRandom(opts.seed ?? 20251127);
  const { enterprises, agriEntities } = generateSubjects(rng, { enterprises: 210, agriEntities: 110 }, now);
  const publishedAt = new Date(now.getTime() - 86_400_000);
  const asOf = new Date(now.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
  enterprises.unshift(
    {
      id: FIXED_SUBJECTS.enterprise,
      name: '重庆山城小面餐饮管理有限公司',
      kind: SubjectKind.ENTERPRISE,
      legalRepresentative: '李建国',
      legalRepresentativeId: '500103197803154519',
      registeredCapital: 100_0000_00,
      establishedOn: '2016-05-18',
      regionCode: '500103',
      industryCode: 'H6210',
      industryName: '正餐服务',
      status: RegistrationStatus.OPERATING,
      scale: EnterpriseScale.MICRO,
      address: '重庆市渝中区解放碑民族路88号',
      publishedBy: DATASETS.registration.publisher!,
      dataAsOf: asOf,
      publishedAt,
    } as Enterprise,
    {
      id: FIXED_SUBJECTS.cooperative,
      name: '重庆市万州区古红橘种植专业合作社',
      kind: SubjectKind.FARMER_COOPERATIVE,
      legalRepresentative: '谭德华',
      legalRepresentativeId: '500101196910084432',
      registeredCapital: 300_0000_00,
      establishedOn: '2013-03-22',
      regionCode: '500101',
      industryCode: 'A0153',
      industryName: '柑橘类种植',
      status: RegistrationStatus.OPERATING,
      scale: EnterpriseScale.SMALL,
      address: '重庆市万州区太龙镇古红橘村3组',
      publishedBy: DATASETS.registration.publisher!,
      dataAsOf: asOf,
      publishedAt,
    } as Enterprise,
  );
  agriEntities.unshift({
    id: FIXED_SUBJECTS.familyFarmOperator,
    name: '忠县张德明柑橘家庭农场',
    kind: SubjectKind.FAMILY_FARM,
    operatorName: '张德明',
    operatorIdNumber: FIXED_SUBJECTS.familyFarmOperator,
    regionCode: '500233',
    village: '新生街道钟坝村',
    landAreaMu: 186.5,
    mainProducts: ['柑橘', '柠檬'],
    registeredOn: '2019-09-10',
    publishedBy: DATASETS.agri_registration.publisher!,
    dataAsOf: asOf,
    publishedAt,
  } as AgriEntity);

  const subjects = [
    ...enterprises.map((e) => ({ id: e.id, kind: e.kind, regionCode: e.regionCode, isAgri: e.kind === SubjectKind.FARMER_COOPERATIVE })),
    ...agriEntities.map((a) => ({ id: a.id, kind: a.kind, regionCode: a.regionCode, isAgri: true })),
  ];
  const credit = demoCreditRecords(subjects, rng, now);
  const exposure = demoExposure(subjects, rng, now);
  const policy = demoPolicyRows(now, rng);
  const rows: Record<string, number> = { DataUseApplication: policy.applications.length, SubjectConsent: policy.consents.length };
  await db.dataSource.transaction(async (manager) => {
    await insertRows(manager, Institution, DEMO_INSTITUTIONS.map((i) => ({ guarantorLevel: null, createdAt: publishedAt, ...i }) as unknown as Institution));
    await insertRows(manager, Enterprise, enterprises);
    await insertRows(manager, AgriEntity, agriEntities);
    await insertRows(manager, DataUseApplication, policy.applications);
    await insertRows(manager, SubjectConsent, policy.consents);
    for (const [entity, list] of Object.entries({ ...credit, ...exposure })) {
      await insertRows(manager, entity, list as object[]);
      rows[entity] = (list as object[]).length;
    }
  });
  return { institutions: DEMO_INSTITUTIONS.length, enterprises: enterprises.length, agriEntities: agriEntities.length, rows };
}
