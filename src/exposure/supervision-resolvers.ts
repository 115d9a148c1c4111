import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { badInput, forbidden } from '../federation/errors';
import { MoneyScalar } from '../federation/scalars';
import { CallerType } from '../identity/caller';
import { MaskKind } from '../policy/catalog';
import { applyMask } from '../policy/masks';
import { Purpose } from '../policy/purposes';
import { regionName } from '../registry/regions';
import { parsePeriod, totalMetrics, type GuarantorMetrics, type MetricsTotals } from './metrics';
import { cstToday, evaluateCooperations, guarantorMetrics, guarantorsInScope, recordNetAssets, type GuarantorInfo } from './supervision/store';
import { CooperationType, GuarantorSupervisionType, NetAssetsReportType, SupervisionRule, SupervisionTotalsType, SupervisionViewType } from './supervision/types';

const MUNICIPAL = '500000';
const LEVEL_NAMES: Record<string, string> = { RE_GUARANTEE: '再担保', MUNICIPAL: '市级直保', DISTRICT: '区县直保' };

function periodArg(label: string) {
  const p = parsePeriod(label);
  if (!p) throw badInput(`'period' must be YYYY, YYYY-Qn or YYYY-MM, got ${JSON.stringify(label)}`, { argument: 'period' });
  return p;
}

function regulatorScope(ctx: HubContext): string {
  if (ctx.caller?.type !== CallerType.REGULATOR) throw forbidden('the supervision view is for regulators (财政局 / 金融监管)', { reason: 'NOT_A_REGULATOR' });
  return ctx.caller.regionCode || MUNICIPAL;
}

function totals(key: string, name: string | null, t: MetricsTotals): SupervisionTotalsType {
  return { key, name, ...t };
}

function view(info: GuarantorInfo, m: GuarantorMetrics): GuarantorSupervisionType {
  return {
    guarantorCode: info.code,
    name: info.name,
    level: info.level,
    regionCode: info.regionCode,
    netAssets: m.netAssets,
    guaranteeBalance: m.guaranteeBalance,
    inForceCount: m.inForceCount,
    borrowerCount: m.borrowerCount,
    leverage: m.leverage,
    leverageLimit: m.leverageLimit,
    mainlySmallMicroAgri: m.mainlySmallMicroAgri,
    largestBorrowerMasked: m.largestBorrowerSubjectId ? (applyMask(MaskKind.SHOW_FIRST6_LAST4, m.largestBorrowerSubjectId) as string) : null,
    largestBorrowerBalance: m.largestBorrowerBalance,
    largestBorrowerShareOfNetAssets: m.largestBorrowerShareOfNetAssets,
    smallMicroAgriShare: m.smallMicroAgriShare,
    smallAmountShare: m.smallAmountShare,
    averageFeeRate: m.averageFeeRate,
    aboveFocusLineCount: m.aboveFocusLineCount,
    bankShareViolationCount: m.bankShareViolationCount,
    bankShareViolationBalance: m.bankShareViolationBalance,
    compensationAmount: m.compensationAmount,
    compensationCount: m.compensationCount,
    releasedAmount: m.releasedAmount,
    compensationRate: m.compensationRate,
    breaches: m.breaches.map((b) => ({ rule: b.rule as SupervisionRule, value: b.value, limit: b.limit, message: b.message })),
    missing: m.missing,
  };
}

function grouped<K extends string>(items: Array<{ key: K; m: GuarantorMetrics }>, name: (k: K) => string | null): SupervisionTotalsType[] {
  const groups = new Map<K, GuarantorMetrics[]>();
  for (const { key, m } of items) {
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.keys()].sort().map((k) => totals(k, name(k), totalMetrics(groups.get(k)!)));
}

@Resolver()
export class SupervisionResolver {
  @Query(() => SupervisionViewType, {
    description:
      '融资担保监管 — metrics of every guarantor in the calling regulator’s scope for a period (YYYY, YYYY-Qn or YYYY-MM) with ' +
      'the rules each breaks, and totals by district, by level (再担保/市级/区县) and overall. REGULATOR callers with ' +
      'purpose SUPERVISION only; personal data stays masked.',
  })
  async guarantorSupervision(@Arg('period', { description: 'YYYY, YYYY-Qn or YYYY-MM.' }) periodLabel: string, @Ctx() ctx: HubContext): Promise<SupervisionViewType> {
    const scope = regulatorScope(ctx);
    if (ctx.purpose !== Purpose.SUPERVISION) throw forbidden('the supervision view needs X-Hub-Purpose: SUPERVISION', { reason: 'PURPOSE_NOT_ALLOWED' });
    const period = periodArg(periodLabel);
    const infos = await guarantorsInScope(ctx.db, scope);
    const metrics = await guarantorMetrics(ctx.db, infos.map((g) => g.code), period);
    const rows = infos.map((info, i) => ({ info, m: metrics[i] }));
    return {
      period: period.label,
      periodStart: period.start,
      periodEnd: period.end,
      asOf: cstToday(),
      scopeRegionCode: scope,
      guarantors: rows.map((r) => view(r.info, r.m)),
      byDistrict: grouped(rows.map((r) => ({ key: r.info.regionCode ?? 'UNKNOWN', m: r.m })), (k) => regionName(k)),
      byLevel: grouped(rows.map((r) => ({ key: r.info.level ?? 'UNKNOWN', m: r.m })), (k) => LEVEL_NAMES[k] ?? null),
      total: totals('ALL', null, totalMetrics(metrics)),
    };
  }

  @Mutation(() => NetAssetsReportType, {
    description:
      '报送净资产 — net assets of a guarantor for a period (YYYY, YYYY-Qn or YYYY-MM), used for leverage and the single-borrower ' +
      'limit. A guarantor reports its own; a regulator any guarantor in its scope. A later report for the same period supersedes.',
  })
  async reportNetAssets(
    @Arg('guarantorCode', { description: 'Institution code of the guarantor.' }) guarantorCode: string,
    @Arg('period', { description: 'YYYY, YYYY-Qn or YYYY-MM.' }) periodLabel: string,
    @Arg('netAssets', () => MoneyScalar, { description: '净资产 in 元.' }) netAssets: number,
    @Ctx() ctx: HubContext,
  ): Promise<NetAssetsReportType> {
    const caller = ctx.caller;
    const period = periodArg(periodLabel);
    if (caller?.type === CallerType.GUARANTOR) {
      if (caller.orgCode !== guarantorCode) throw forbidden('a guarantor reports only its own net assets', { reason: 'NOT_OWN_INSTITUTION' });
    } else if (caller?.type === CallerType.REGULATOR) {
      const scope = caller.regionCode || MUNICIPAL;
      if (scope !== MUNICIPAL) {
        const inScope = (await guarantorsInScope(ctx.db, scope)).some((g) => g.code === guarantorCode);
        if (!inScope) throw forbidden(`guarantor '${guarantorCode}' is outside your scope (${scope})`, { reason: 'OUT_OF_SCOPE' });
      }
    } else {
      throw forbidden('net assets are reported by the guarantor itself or a regulator', { reason: 'CALLER_TYPE_NOT_ALLOWED' });
    }
    if (!/^[A-Za-z0-9-]{1,32}$/.test(guarantorCode)) throw badInput(`'guarantorCode' is not an institution code: ${JSON.stringify(guarantorCode)}`, { argument: 'guarantorCode' });
    const row = await recordNetAssets(ctx.db, { guarantorCode, period, netAssets, reportedBy: caller.orgCode! });
    return { guarantorCode: row.guarantorCode, period: row.period, netAssets: row.netAssets, reportedBy: row.reportedBy, reportedAt: row.reportedAt };
  }

  @Query(() => [CooperationType], {
    description:
      '银担合作 — bank × guarantor cooperations with their compensation rate over the configured window, the threshold and ' +
      'the circuit-breaker (银担风险熔断) flag, evaluated now (a change is recorded in the breaker history). A bank sees its ' +
      'own cooperations, a guarantor its own, a regulator those of the guarantors in its scope.',
  })
  async cooperations(
    @Arg('bankCode', () => String, { nullable: true, description: 'Only cooperations with this bank.' }) bankCode: string | null | undefined,
    @Arg('guarantorCode', () => String, { nullable: true, description: 'Only cooperations with this guarantor.' }) guarantorCode: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<CooperationType[]> {
    const caller = ctx.caller;
    const org = caller?.orgCode;
    const filter: { bankCodes?: string[]; guarantorCodes?: string[] } = {};
    if (caller?.type === CallerType.BANK) {
      if (bankCode && bankCode !== org) throw forbidden('a bank sees only its own cooperations', { reason: 'NOT_OWN_INSTITUTION' });
      filter.bankCodes = [org!];
      if (guarantorCode) filter.guarantorCodes = [guarantorCode];
    } else if (caller?.type === CallerType.GUARANTOR) {
      if (guarantorCode && guarantorCode !== org) throw forbidden('a guarantor sees only its own cooperations', { reason: 'NOT_OWN_INSTITUTION' });
      filter.guarantorCodes = [org!];
      if (bankCode) filter.bankCodes = [bankCode];
    } else if (caller?.type === CallerType.REGULATOR) {
      const scope = caller.regionCode || MUNICIPAL;
      if (scope !== MUNICIPAL) filter.guarantorCodes = (await guarantorsInScope(ctx.db, scope)).map((g) => g.code);
      if (guarantorCode) filter.guarantorCodes = (filter.guarantorCodes ?? [guarantorCode]).filter((g) => g === guarantorCode);
      if (bankCode) filter.bankCodes = [bankCode];
    } else {
      throw forbidden('cooperations are visible to banks, guarantors and regulators', { reason: 'CALLER_TYPE_NOT_ALLOWED' });
    }
    return evaluateCooperations(ctx.db, filter);
  }
}
