import { DATASETS } from '../policy/datasets';
import type { DatasetCode } from '../policy/catalog';
import { regionName } from '../registry/regions';
import {
  JudicialCaseStatus,
  JudicialCaseType,
  LandType,
  LitigantRole,
  PenaltyType,
  TaxCreditRating,
  type AgriInsurancePolicy,
  type AgriSubsidy,
  type JudicialRecord,
  type LandContractRight,
  type PenaltyRecord,
  type SocialInsuranceRecord,
  type TaxRecord,
} from './entities';

/** A subject as the demo seeder describes it. */
export interface DemoCreditSubject {
  id: string;
  /** SubjectKind value (ENTERPRISE, INDIVIDUAL_BUSINESS, FARMER_COOPERATIVE, FAMILY_FARM, LARGE_GROWER, FARM_HOUSEHOLD). */
  kind: string;
  regionCode: string;
  isAgri: boolean;
}

/** A row as inserted: the entity's columns without the generated id. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Row<T> = Omit<{ [K in keyof T as T[K] extends Function ? never : K]: T[K] }, 'id'>;

/** Subjects the README and outside checks rely on (see src/demo/seed.ts FIXED_SUBJECTS). */
const ALWAYS_BUSINESS_RECORDS = new Set(['91500103MA5U7K3D1E']);
const ALWAYS_AGRI_RECORDS = new Set(['93500101MA60QR2L82', '500233198506123415']);

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/** Chance that a subject of a kind has each kind of record. */
const SHARES: Record<string, { tax: number; social: number; judicial: number; penalty: number; agri: number }> = {
  ENTERPRISE: { tax: 0.92, social: 0.85, judicial: 0.22, penalty: 0.12, agri: 0 },
  INDIVIDUAL_BUSINESS: { tax: 0.7, social: 0.35, judicial: 0.08, penalty: 0.1, agri: 0 },
  FARMER_COOPERATIVE: { tax: 0.6, social: 0.3, judicial: 0.05, penalty: 0.03, agri: 0.95 },
  FAMILY_FARM: { tax: 0.25, social: 0.1, judicial: 0.04, penalty: 0.02, agri: 0.92 },
  LARGE_GROWER: { tax: 0, social: 0, judicial: 0.04, penalty: 0.02, agri: 0.9 },
  FARM_HOUSEHOLD: { tax: 0, social: 0, judicial: 0.03, penalty: 0, agri: 0.88 },
};

const INSURERS: Array<[string, string]> = [
  ['中国人民财产保险股份有限公司重庆市分公司', 'PZ'],
  ['中华联合财产保险股份有限公司重庆分公司', 'ZH'],
  ['安诚财产保险股份有限公司', 'AC'],
  ['中国太平洋财产保险股份有限公司重庆分公司', 'TP'],
  ['中国人寿财产保险股份有限公司重庆市分公司', 'GS'],
];
/** Insured item → share of the premium paid by government subsidies (%). */
const INSURED_ITEMS: Array<[string, number]> = [
  ['柑橘', 70],
  ['生猪', 80],
  ['能繁母猪', 80],
  ['水稻', 75],
  ['玉米', 75],
  ['榨菜', 70],
  ['柠檬', 70],
  ['茶叶', 65],
  ['肉牛', 70],
  ['蔬菜', 60],
];
const PENALTY_REASONS: Record<PenaltyType, string[]> = {
  [PenaltyType.WARNING]: ['未按规定公示年度报告', '未按规定标明商品价格', '广告中使用绝对化用语'],
  [PenaltyType.FINE]: ['销售超过保质期的食品', '虚假宣传', '产品质量监督抽查不合格', '未经许可从事食品经营活动', '计量器具未按规定检定'],
  [PenaltyType.CONFISCATION]: ['销售侵犯注册商标专用权的商品', '无照经营', '销售不合格农资产品'],
  [PenaltyType.LICENCE_SUSPENSION]: ['使用未经检验的特种设备', '食品生产条件不符合要求且拒不整改'],
  [PenaltyType.LICENCE_REVOCATION]: ['提交虚假材料取得公司登记', '成立后无正当理由超过六个月未开业'],
};
const INSPECTION_REMARKS = [
  '年度稽查发现少缴增值税，已补缴税款及滞纳金',
  '存在取得不合规发票列支成本情形，已作纳税调整',
  '逾期未申报，已责令限期改正',
  '关联交易定价待进一步核实',
];

/**
 * Deterministic, realistic credit records for the demo subjects, keyed by entity class name, with the
 * entity's property names (no ids: the tables generate them). Enterprises get tax and social insurance
 * records (most of them), some court cases (a few 失信被执行人) and some penalties; cooperatives and
 * agricultural subjects get land contract rights, agricultural insurance and subsidies.
 *
 * `sourceRecordId`s are derived from the subject id, so calling this for several batches of distinct
 * subjects never produces duplicates. Every `dataAsOf` falls within the year before `now`.
 */
export function demoCreditRecords(subjects: DemoCreditSubject[], rng: () => number, now: Date): Record<string, object[]> {
  const tax: Array<Row<TaxRecord>> = [];
  const social: Array<Row<SocialInsuranceRecord>> = [];
  const judicial: Array<Row<JudicialRecord>> = [];
  const penalty: Array<Row<PenaltyRecord>> = [];
  const land: Array<Row<LandContractRight>> = [];
  const insurance: Array<Row<AgriInsurancePolicy>> = [];
  const subsidy: Array<Row<AgriSubsidy>> = [];

  const chance = (p: number) => rng() < p;
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
  /** Whole yuan between min and max (log-uniform, so small amounts are as common as large ones), in fen. */
  const yuan = (min: number, max: number) => Math.round(Math.exp(Math.log(min) + rng() * (Math.log(max) - Math.log(min)))) * 100;
  const weighted = <T>(items: Array<[T, number]>): T => {
    let r = rng() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1][0];
  };

  /** The CST calendar day `daysAgo` days before now. */
  const day = (daysAgo: number) => new Date(now.getTime() + CST_MS - daysAgo * DAY_MS).toISOString().slice(0, 10);
  const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  const addYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
  const cstYear = Number(day(0).slice(0, 4));

  /** Provenance of a record whose data is current as of `dataAgo` days ago (1..360): received the next morning. */
  const provenance = (dataset: DatasetCode, dataAgo: number) => {
    const dataAsOf = day(dataAgo);
    const received = Date.parse(`${dataAsOf}T00:00:00+08:00`) + DAY_MS + int(1, 10) * 3_600_000 + int(0, 3_599_999);
    return {
      version: 1,
      current: true,
      retractedAt: null,
      retractionReason: null,
      publishedBy: DATASETS[dataset].publisher!,
      dataAsOf,
      publishedAt: new Date(Math.min(received, now.getTime() - 60_000)),
    };
  };

  for (const s of subjects) {
    const shares = SHARES[s.kind] ?? SHARES.ENTERPRISE;
    const region = regionName(s.regionCode) ?? '渝中区';
    const regionShort = region.replace(/(土家族苗族自治县|苗族土家族自治县|土家族自治县|区|县)$/, '');
    const coop = s.kind === 'FARMER_COOPERATIVE';
    const household = s.kind === 'FARM_HOUSEHOLD';
    const scale = s.kind === 'ENTERPRISE' ? 1 : s.kind === 'INDIVIDUAL_BUSINESS' ? 0.1 : 0.2;

    // 税务局: 纳税信用 for the last two tax years.
    if (chance(shares.tax) || ALWAYS_BUSINESS_RECORDS.has(s.id)) {
      const newer = int(1, 180);
      for (const [taxYear, dataAgo] of [
        [cstYear - 1, newer],
        [cstYear - 2, int(newer + 1, 360)],
      ]) {
        const rating = weighted<TaxCreditRating>([
          [TaxCreditRating.A, 22],
          [TaxCreditRating.B, 45],
          [TaxCreditRating.M, 13],
          [TaxCreditRating.C, 12],
          [TaxCreditRating.D, 8],
        ]);
        const poor = rating === TaxCreditRating.C || rating === TaxCreditRating.D;
        const taxPaid = yuan(20_000 * scale, 8_000_000 * scale);
        tax.push({
          subjectId: s.id,
          sourceRecordId: `TAX-${taxYear}-${s.id}`,
          ...provenance('tax', dataAgo),
          taxYear,
          rating,
          taxPaid,
          vatPaid: Math.round((taxPaid * int(35, 65)) / 10_000) * 100,
          taxArrears: (poor ? chance(0.4) : chance(0.03)) ? yuan(2_000, 500_000 * scale) : 0,
          inspectionRemark: poor && chance(0.6) ? pick(INSPECTION_REMARKS) : null,
        });
      }
    }

    // 人力社保局: the last three settled contribution months (data as of the 10th of the following month).
    if (chance(shares.social) || ALWAYS_BUSINESS_RECORDS.has(s.id)) {
      const headcount = s.kind === 'ENTERPRISE' ? int(3, 180) : int(1, 12);
      const arrearsMonths = chance(0.08) ? int(1, 6) : 0;
      const averageBase = int(4_300, 11_000);
      const today = day(0);
      for (let back = 2; back <= 4; back++) {
        const m = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 - back, 1));
        const period = m.toISOString().slice(0, 7);
        const asOf = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 10)).toISOString().slice(0, 10);
        const dataAgo = Math.max(1, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${asOf}T00:00:00Z`)) / DAY_MS));
        const months = Math.max(0, arrearsMonths - (back - 2));
        const employees = Math.max(1, headcount + int(-2, 2));
        social.push({
          subjectId: s.id,
          sourceRecordId: `HRSS-${period}-${s.id}`,
          ...provenance('social_insurance', dataAgo),
          period,
          insuredHeadcount: employees,
          paidBaseTotal: employees * averageBase * 100,
          // Employer and employee contributions are about 37% of the base in 重庆.
          arrearsAmount: Math.round(months * employees * averageBase * 0.37) * 100,
          arrearsMonths: months,
        });
      }
    }

    // 法院: court cases; a few enforcement cases list the subject as 失信被执行人.
    if (chance(shares.judicial) || ALWAYS_BUSINESS_RECORDS.has(s.id)) {
      const cases = int(1, 3);
      for (let n = 1; n <= cases; n++) {
        const caseType = weighted<JudicialCaseType>([
          [JudicialCaseType.CIVIL_JUDGMENT, 55],
          [JudicialCaseType.ENFORCEMENT, 36],
          [JudicialCaseType.ADMINISTRATIVE, 7],
          [JudicialCaseType.CRIMINAL, 2],
        ]);
        const role =
          caseType === JudicialCaseType.CIVIL_JUDGMENT
            ? weighted<LitigantRole>([
                [LitigantRole.PLAINTIFF, 45],
                [LitigantRole.DEFENDANT, 50],
                [LitigantRole.THIRD_PARTY, 5],
              ])
            : caseType === JudicialCaseType.ENFORCEMENT
              ? chance(0.75)
                ? LitigantRole.EXECUTED_PERSON
                : LitigantRole.PLAINTIFF
              : caseType === JudicialCaseType.ADMINISTRATIVE
                ? LitigantRole.PLAINTIFF
                : LitigantRole.DEFENDANT;
        const filedAgo = int(20, 900);
        const filedOn = day(filedAgo);
        const closedAgo = filedAgo > 60 && chance(caseType === JudicialCaseType.ENFORCEMENT ? 0.35 : 0.65) ? int(Math.max(1, filedAgo - 400), filedAgo - 45) : null;
        const status =
          closedAgo !== null ? JudicialCaseStatus.CLOSED : caseType === JudicialCaseType.ENFORCEMENT ? JudicialCaseStatus.ENFORCING : JudicialCaseStatus.PENDING;
        const executed = role === LitigantRole.EXECUTED_PERSON;
        const dishonestListed = executed && status === JudicialCaseStatus.ENFORCING && chance(0.6);
        const consumptionRestricted = dishonestListed || (executed && status === JudicialCaseStatus.ENFORCING && chance(0.5));
        const code = { CIVIL_JUDGMENT: '民初', ENFORCEMENT: '执', ADMINISTRATIVE: '行初', CRIMINAL: '刑初' }[caseType];
        const base = {
          subjectId: s.id,
          sourceRecordId: `CASE-${s.id}-${n}`,
          caseNumber: `（${filedOn.slice(0, 4)}）渝${s.regionCode.slice(2)}${code}${int(1, 9999)}号`,
          courtName: `重庆市${region}人民法院`,
          caseType,
          role,
          amountInvolved: caseType === JudicialCaseType.CRIMINAL || (caseType === JudicialCaseType.ADMINISTRATIVE && chance(0.5)) ? null : yuan(8_000, 3_000_000),
          filedOn,
        };
        const lastEventAgo = closedAgo ?? filedAgo;
        const dataAgo = int(1, Math.min(lastEventAgo, 300));
        // Performed after being listed: the court's earlier version (listed, enforcing) is kept, superseded by the closed one.
        const superseded = status === JudicialCaseStatus.CLOSED && caseType === JudicialCaseType.ENFORCEMENT && executed && closedAgo! < 350;
        if (superseded) {
          judicial.push({
            ...base,
            ...provenance('judicial', int(closedAgo! + 1, Math.min(filedAgo, 360))),
            current: false,
            closedOn: null,
            status: JudicialCaseStatus.ENFORCING,
            dishonestListed: true,
            consumptionRestricted: true,
          });
        }
        judicial.push({
          ...base,
          ...provenance('judicial', dataAgo),
          version: superseded ? 2 : 1,
          closedOn: closedAgo !== null ? day(closedAgo) : null,
          status,
          dishonestListed,
          consumptionRestricted,
        });
        if (chance(0.01)) {
          const last = judicial[judicial.length - 1];
          last.retractedAt = new Date(Math.min(last.publishedAt.getTime() + 3 * DAY_MS, now.getTime() - 60_000));
          last.retractionReason = '案件信息报送有误，已撤回';
        }
      }
    }

    // 市场监管局: 行政处罚 under publicity.
    if (chance(shares.penalty)) {
      const count = chance(0.8) ? 1 : 2;
      for (let n = 1; n <= count; n++) {
        const penaltyType = weighted<PenaltyType>([
          [PenaltyType.WARNING, 25],
          [PenaltyType.FINE, 55],
          [PenaltyType.CONFISCATION, 10],
          [PenaltyType.LICENCE_SUSPENSION, 7],
          [PenaltyType.LICENCE_REVOCATION, 3],
        ]);
        const decidedAgo = int(15, 700);
        const decidedOn = day(decidedAgo);
        const fineAmount =
          penaltyType === PenaltyType.WARNING || penaltyType === PenaltyType.LICENCE_REVOCATION
            ? null
            : penaltyType === PenaltyType.LICENCE_SUSPENSION
              ? yuan(10_000, 100_000)
              : yuan(1_000, 200_000);
        // 公示期: one year for warnings and small fines, three years otherwise (市场监管 信用修复 rules).
        const light = penaltyType === PenaltyType.WARNING || (fineAmount !== null && fineAmount < 10_000_00 && penaltyType === PenaltyType.FINE);
        penalty.push({
          subjectId: s.id,
          sourceRecordId: `AMR-${s.id}-${n}`,
          ...provenance('penalty', int(1, Math.min(decidedAgo, 360))),
          decisionNumber: `${regionShort}市监处罚〔${decidedOn.slice(0, 4)}〕${int(1, 999)}号`,
          authorityName: `重庆市${region}市场监督管理局`,
          penaltyType,
          reason: pick(PENALTY_REASONS[penaltyType]),
          fineAmount,
          decidedOn,
          publicityEndsOn: addYears(decidedOn, light ? 1 : 3),
        });
      }
    }

    // 农业农村委: land contract rights, agricultural insurance, subsidies.
    const agri = s.isAgri || coop || shares.agri > 0;
    if ((agri && chance(shares.agri || 0.9)) || ALWAYS_AGRI_RECORDS.has(s.id)) {
      const rights = household ? 1 : int(1, 2);
      for (let n = 1; n <= rights; n++) {
        const secondRound = household || chance(0.3);
        const start = secondRound ? `${pick(['1998', '1999'])}-${String(int(1, 12)).padStart(2, '0')}-01` : day(int(400, 3_600));
        land.push({
          subjectId: s.id,
          sourceRecordId: `LAND-${s.id}-${n}`,
          ...provenance('agri_land', int(1, 360)),
          certificateNumber: `${s.regionCode}${String(int(100, 130))}${String(int(1, 250)).padStart(3, '0')}${String(int(1, 12)).padStart(2, '0')}${String(int(1, 9999)).padStart(4, '0')}J`,
          areaMu: int(household ? 150 : coop ? 2_000 : 400, household ? 1_200 : coop ? 8_000 : 1_500) / 100,
          contractStartOn: start,
          // Second-round contracts run 30 years (extended another 30 on expiry); 流转 contracts 10-15.
          contractEndOn: addDays(addYears(start, secondRound ? 30 : int(10, 15)), -1),
          landType: weighted<LandType>([
            [LandType.ARABLE, 55],
            [LandType.ORCHARD, 20],
            [LandType.FOREST, 10],
            [LandType.AQUACULTURE, 8],
            [LandType.GRASSLAND, 7],
          ]),
          transferredInAreaMu: household ? (chance(0.2) ? int(300, 3_000) / 100 : 0) : int(coop ? 10_000 : 2_000, coop ? 150_000 : 30_000) / 100,
        });
      }

      const policies = int(1, 2);
      for (let n = 1; n <= policies; n++) {
        const [insurerName, insurerCode] = pick(INSURERS);
        const [insuredItem, subsidySharePercent] = pick(INSURED_ITEMS);
        const startAgo = int(20, 330);
        const periodStartOn = day(startAgo);
        const insuredAmount = household ? yuan(5_000, 60_000) : coop ? yuan(200_000, 3_000_000) : yuan(50_000, 800_000);
        insurance.push({
          subjectId: s.id,
          sourceRecordId: `INS-${s.id}-${n}`,
          ...provenance('agri_insurance', int(1, startAgo)),
          policyNumber: `${insurerCode}${periodStartOn.slice(0, 4)}${s.regionCode}${String(int(1, 999_999)).padStart(6, '0')}`,
          insurerName,
          insuredItem,
          insuredAmount,
          premium: Math.round((insuredAmount * int(30, 60)) / 100_000) * 100,
          subsidySharePercent,
          periodStartOn,
          periodEndOn: addDays(addYears(periodStartOn, 1), -1),
          claimsPaid: chance(0.15) ? Math.round((insuredAmount * int(5, 40)) / 10_000) * 100 : 0,
        });
      }

      const programs: Array<[string, number, number]> = [
        ['耕地地力保护补贴', household ? 300 : 3_000, household ? 1_500 : 20_000],
        ['实际种粮农民一次性补贴', 100, household ? 1_000 : 5_000],
        ...(household ? [] : ([
          ['农机购置与应用补贴', 5_000, 80_000],
          ['新型农业经营主体培育补助', 20_000, 200_000],
        ] as Array<[string, number, number]>)),
      ];
      const count = int(1, Math.min(3, programs.length));
      for (let n = 1; n <= count; n++) {
        const [program, min, max] = programs[n - 1];
        const paidAgo = int(8, 360);
        const paidOn = day(paidAgo);
        subsidy.push({
          subjectId: s.id,
          sourceRecordId: `SUB-${s.id}-${n}`,
          ...provenance('agri_subsidy', int(1, paidAgo - 5)),
          program,
          year: Number(paidOn.slice(0, 4)),
          amount: yuan(min, max),
          paidOn,
        });
      }
    }
  }

  return {
    TaxRecord: tax,
    SocialInsuranceRecord: social,
    JudicialRecord: judicial,
    PenaltyRecord: penalty,
    LandContractRight: land,
    AgriInsurancePolicy: insurance,
    AgriSubsidy: subsidy,
  };
}
