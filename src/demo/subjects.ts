import { completeResidentId, completeUscc } from '../identifiers';
import { DATASETS } from '../policy/datasets';
import { EnterpriseScale, RegistrationStatus, SubjectKind, type AgriEntity, type Enterprise } from '../registry/entities';
import { CHONGQING_REGIONS } from '../registry/regions';
import { intBetween, isoDay, pick } from './random';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '德明', '建国', '晓东', '红梅', '国华', '春燕', '志强', '玉兰', '永红'];
const TRADE_WORDS = ['山城', '渝信', '巴渝', '嘉陵', '长江', '缙云', '两江', '朝天门', '金佛山', '武陵', '三峡', '鸿运', '恒达', '瑞丰', '聚源', '鑫隆'];
const INDUSTRIES: Array<[string, string, string]> = [
  ['C1469', '其他调味品、发酵制品制造', '食品有限公司'],
  ['C3670', '汽车零部件及配件制造', '汽车配件有限公司'],
  ['C3989', '其他电子元件制造', '电子科技有限公司'],
  ['F5211', '百货零售', '商贸有限公司'],
  ['H6210', '正餐服务', '餐饮管理有限公司'],
  ['I6513', '应用软件开发', '软件科技有限公司'],
  ['E4790', '其他房屋建筑业', '建筑工程有限公司'],
  ['G5431', '普通货物道路运输', '物流有限公司'],
  ['C1371', '蔬菜加工', '农产品加工有限公司'],
];
const AGRI_PRODUCTS = ['柑橘', '生猪', '榨菜', '茶叶', '水稻', '辣椒', '柠檬', '蔬菜', '花椒', '肉牛', '中药材', '渔业养殖'];
/** Org-code body characters valid in both the USCC and the GB 11714 alphabets. */
const ORG_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const DISTRICTS = Object.keys(CHONGQING_REGIONS).filter((c) => c !== '500000');

export interface SubjectSeed {
  enterprises: Enterprise[];
  agriEntities: AgriEntity[];
}

function personName(rng: () => number): string {
  return pick(rng, [...SURNAMES]) + pick(rng, GIVEN);
}

/** A valid 公民身份号码 of someone born in the region between 1960 and 2000. */
export function residentId(rng: () => number, regionCode: string): string {
  const birth = isoDay(new Date(Date.UTC(1960, 0, 1)), intBetween(rng, 0, 40 * 365)).replace(/-/g, '');
  return completeResidentId(`${regionCode}${birth}${String(intBetween(rng, 0, 999)).padStart(3, '0')}`);
}

/** A valid USCC: registration class (91 enterprise, 92 individual business, 93 cooperative), region, org code. */
export function uscc(rng: () => number, classCode: '91' | '92' | '93', regionCode: string): string {
  let body = 'MA';
  for (let i = 0; i < 6; i++) body += pick(rng, [...ORG_CHARS]);
  return completeUscc(`${classCode}${regionCode}${body}`);
}

/** Deterministic enterprises and agricultural entities across Chongqing's districts. */
export function generateSubjects(rng: () => number, counts: { enterprises: number; agriEntities: number }, now: Date): SubjectSeed {
  const publishedAt = new Date(now.getTime() - 86_400_000);
  const asOf = isoDay(now, -2);
  const enterprises: Enterprise[] = [];
  for (let i = 0; i < counts.enterprises; i++) {
    const regionCode = pick(rng, DISTRICTS);
    const roll = rng();
    const kind = roll < 0.7 ? SubjectKind.ENTERPRISE : roll < 0.9 ? SubjectKind.INDIVIDUAL_BUSINESS : SubjectKind.FARMER_COOPERATIVE;
    const [industryCode, industryName, suffix] = kind === SubjectKind.FARMER_COOPERATIVE ? ['A0153', '柑橘类种植', ''] : pick(rng, INDUSTRIES);
    const trade = pick(rng, TRADE_WORDS);
    const place = CHONGQING_REGIONS[regionCode].replace(/[区县]$/, '');
    const name =
      kind === SubjectKind.FARMER_COOPERATIVE
        ? `重庆市${place}${trade}${pick(rng, AGRI_PRODUCTS)}种植专业合作社`
        : kind === SubjectKind.INDIVIDUAL_BUSINESS
          ? `${place}${trade}${industryName.slice(0, 2)}店`
          : `重庆${trade}${pick(rng, TRADE_WORDS)}${place}${suffix}`;
    enterprises.push({
      id: uscc(rng, kind === SubjectKind.ENTERPRISE ? '91' : kind === SubjectKind.INDIVIDUAL_BUSINESS ? '92' : '93', regionCode),
      name,
      kind,
      legalRepresentative: personName(rng),
      legalRepresentativeId: residentId(rng, regionCode),
      registeredCapital: intBetween(rng, 1, 500) * 10_000 * 100,
      establishedOn: isoDay(now, -intBetween(rng, 200, 20 * 365)),
      regionCode,
      industryCode,
      industryName,
      status: rng() < 0.93 ? RegistrationStatus.OPERATING : pick(rng, [RegistrationStatus.CANCELLED, RegistrationStatus.REVOKED, RegistrationStatus.SUSPENDED]),
      scale: kind === SubjectKind.INDIVIDUAL_BUSINESS ? EnterpriseScale.MICRO : pick(rng, [EnterpriseScale.MICRO, EnterpriseScale.MICRO, EnterpriseScale.SMALL, EnterpriseScale.SMALL, EnterpriseScale.MEDIUM, EnterpriseScale.LARGE]),
      address: `重庆市${CHONGQING_REGIONS[regionCode]}${pick(rng, TRADE_WORDS)}路${intBetween(rng, 1, 300)}号`,
      publishedBy: DATASETS.registration.publisher!,
      dataAsOf: asOf,
      publishedAt,
    } as Enterprise);
  }
  const agriEntities: AgriEntity[] = [];
  for (let i = 0; i < counts.agriEntities; i++) {
    const regionCode = pick(rng, DISTRICTS);
    const operatorIdNumber = residentId(rng, regionCode);
    const operatorName = personName(rng);
    const product = pick(rng, AGRI_PRODUCTS);
    const roll = rng();
    const kind = roll < 0.5 ? SubjectKind.FAMILY_FARM : roll < 0.75 ? SubjectKind.LARGE_GROWER : SubjectKind.FARM_HOUSEHOLD;
    const registered = kind === SubjectKind.FAMILY_FARM && rng() < 0.6;
    agriEntities.push({
      id: registered ? uscc(rng, '92', regionCode) : operatorIdNumber,
      name: kind === SubjectKind.FAMILY_FARM ? `${CHONGQING_REGIONS[regionCode]}${operatorName}${product}家庭农场` : `${operatorName}（${product}${kind === SubjectKind.LARGE_GROWER ? '种养大户' : '农户'}）`,
      kind,
      operatorName,
      operatorIdNumber,
      regionCode,
      village: `${pick(rng, TRADE_WORDS)}镇${pick(rng, ['新华', '民主', '团结', '红岩', '青山', '桥头'])}村`,
      landAreaMu: intBetween(rng, 300, 50_000) / 100,
      mainProducts: [product, ...(rng() < 0.3 ? [pick(rng, AGRI_PRODUCTS)] : [])].filter((p, k, all) => all.indexOf(p) === k),
      registeredOn: registered ? isoDay(now, -intBetween(rng, 100, 3000)) : null,
      publishedBy: DATASETS.agri_registration.publisher!,
      dataAsOf: asOf,
      publishedAt,
    } as AgriEntity);
  }
  return { enterprises, agriEntities };
}
